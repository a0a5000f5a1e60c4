import { Injectable } from '@nestjs/common';
import { DomainException } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { TransactionHost, systemActor } from '@app/persistence';
import { apiKeyPrefix, issueApiKey, keyMatches } from './api-key';
import { HospitalRepository } from './hospital.repository';
import { AuthenticatedHospital, Hospital } from './hospital.types';

export const UNAUTHENTICATED = 'UNAUTHENTICATED';

/** The hospital registry and its API credentials. */
@Injectable()
export class HospitalService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly hospitals: HospitalRepository,
  ) {}

  /** The hospital a presented API key belongs to; 401 for a missing, malformed, unknown or revoked key. */
  async authenticate(presented: string | undefined): Promise<AuthenticatedHospital> {
    const refuse = () =>
      new DomainException(UNAUTHENTICATED, 'unauthenticated', 'A valid X-API-Key header is required');
    const prefix = presented ? apiKeyPrefix(presented) : undefined;
    if (!presented || !prefix) throw refuse();
    const stored = await this.hospitals.findKey(prefix);
    if (!stored || !keyMatches(presented, stored.sha256)) throw refuse();
    return { id: stored.hospitalId, name: stored.name };
  }

  async get(id: string): Promise<Hospital> {
    const hospital = await this.hospitals.findById(id);
    if (!hospital) throw new DomainException('HOSPITAL_NOT_FOUND', 'not-found', `No hospital ${id}`);
    return hospital;
  }

  /**
   * Registers a hospital if it is not there yet and issues it a key (returned once, never stored in clear).
   * Returns undefined when the hospital already existed (idempotent seeding).
   */
  async register(hospital: Hospital): Promise<string | undefined> {
    const divisions = await DivisionDirectory.load();
    if (divisions.find(hospital.countyDivisionCode)?.level !== 'county') {
      throw new DomainException(
        'UNKNOWN_DIVISION',
        'invalid',
        `${hospital.countyDivisionCode} is not a county`,
      );
    }
    return this.tx.run(async () => {
      if (!(await this.hospitals.insertIfAbsent(hospital))) return undefined;
      const issued = issueApiKey();
      await this.hospitals.insertKey(hospital.id, issued.prefix, issued.sha256);
      return issued.key;
    }, systemActor('hospital-registry'));
  }
}
