import { Injectable } from '@nestjs/common';
import { ApiKeyService } from '@app/auth';
import { DomainException } from '@app/core';
import { FieldCipher } from '@app/crypto';
import { DivisionDirectory } from '@app/divisions';
import { TransactionHost, systemActor } from '@app/persistence';
import { newWebhookSecret } from '@app/webhooks';
import { assertHospitalCounty } from './hospital-county';
import { HospitalRepository } from './hospital.repository';
import { Hospital, takesGreenCase } from './hospital.types';

/** The seal context of a hospital's webhook signing secret at rest. */
export const HOSPITAL_WEBHOOK_SECRET_CONTEXT = 'hospital-intake.webhook-secret.v1';

const REGISTRY_ADMIN = systemActor('hospital-registry');

export type NewHospital = Omit<Hospital, 'hasPsychiatricWard' | 'takesGreenCases' | 'webhookUrl'> &
  Partial<Pick<Hospital, 'hasPsychiatricWard' | 'takesGreenCases'>>;

export type HospitalChange = Partial<
  Pick<Hospital, 'name' | 'level' | 'kind' | 'onCall' | 'hasPsychiatricWard' | 'takesGreenCases'>
> & { webhookUrl?: string | null };

/** The hospital registry (its API keys live in @app/auth's api_key table) and green-channel designations. */
@Injectable()
export class HospitalService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly hospitals: HospitalRepository,
    private readonly apiKeys: ApiKeyService,
    private readonly divisions: DivisionDirectory,
    private readonly cipher: FieldCipher,
  ) {}

  async get(id: string): Promise<Hospital> {
    const hospital = await this.hospitals.findById(id);
    if (!hospital) throw new DomainException('HOSPITAL_NOT_FOUND', 'not-found', `No hospital ${id}`);
    return hospital;
  }

  list(countyCode: string | undefined, limit: number, afterId?: string): Promise<Hospital[]> {
    return this.hospitals.listInCounty(countyCode, limit, afterId);
  }

  /**
   * Registers a hospital if it is not there yet and issues it a key (returned once, never stored in clear).
   * Returns undefined when the hospital already existed (idempotent seeding).
   */
  async register(hospital: NewHospital): Promise<string | undefined> {
    assertHospitalCounty(this.divisions, hospital.countyDivisionCode);
    return this.tx.run(async () => {
      const inserted = await this.hospitals.insertIfAbsent({
        ...hospital,
        hasPsychiatricWard: hospital.hasPsychiatricWard ?? false,
        takesGreenCases: hospital.takesGreenCases ?? true,
      });
      if (!inserted) return undefined;
      const issued = await this.apiKeys.issue({
        organisationId: hospital.id,
        organisationKind: 'hospital',
        organisationName: hospital.name,
        divisionCode: hospital.countyDivisionCode,
      });
      return issued.apiKey;
    }, REGISTRY_ADMIN);
  }

  /** Changes a registry entry; a new webhook URL gets a new signing secret, returned once. */
  async update(id: string, change: HospitalChange): Promise<{ hospital: Hospital; webhookSecret?: string }> {
    return this.tx.run(async () => {
      const before = await this.get(id);
      const { webhookUrl, ...rest } = change;
      const newSecret = webhookUrl && webhookUrl !== before.webhookUrl ? newWebhookSecret() : undefined;
      const webhook =
        webhookUrl === null
          ? null
          : newSecret && webhookUrl
            ? { url: webhookUrl, secret: this.cipher.seal(newSecret, HOSPITAL_WEBHOOK_SECRET_CONTEXT) }
            : undefined;
      await this.hospitals.update(id, { ...rest, webhook });
      return { hospital: await this.get(id), ...(newSecret ? { webhookSecret: newSecret } : {}) };
    }, REGISTRY_ADMIN);
  }

  /**
   * Sets the designated psychiatric hospitals of a county (6 digits) or a prefecture (`xxxx00`), in the order
   * the green channel asks them. Each must be registered and able to take green cases.
   */
  async designate(divisionCode: string, hospitalIds: readonly string[]): Promise<Hospital[]> {
    const prefecture =
      /^\d{4}00$/.test(divisionCode) && this.divisions.find(divisionCode.slice(0, 4))?.level === 'city';
    if (!prefecture && this.divisions.find(divisionCode)?.level !== 'county') {
      throw new DomainException(
        'UNKNOWN_DIVISION',
        'invalid',
        `${divisionCode} is not a county or prefecture`,
      );
    }
    return this.tx.run(async () => {
      const errors: { pointer: string; detail: string }[] = [];
      for (const [i, id] of hospitalIds.entries()) {
        const hospital = await this.hospitals.findById(id);
        if (!hospital) errors.push({ pointer: `#/hospitalIds/${i}`, detail: `no hospital ${id}` });
        else if (!takesGreenCase(hospital))
          errors.push({ pointer: `#/hospitalIds/${i}`, detail: `${id} does not take green-channel cases` });
      }
      if (errors.length > 0) {
        throw new DomainException('INVALID_DESIGNATION', 'invalid', 'The designation is not valid', {
          errors,
        });
      }
      await this.hospitals.replaceDesignations(divisionCode, hospitalIds);
      return this.hospitals.designated(divisionCode);
    }, REGISTRY_ADMIN);
  }

  designated(divisionCode: string): Promise<Hospital[]> {
    return this.hospitals.designated(divisionCode);
  }
}
