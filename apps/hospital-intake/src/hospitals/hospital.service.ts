import { Injectable } from '@nestjs/common';
import { ApiKeyService } from '@app/auth';
import { DomainException } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { TransactionHost, systemActor } from '@app/persistence';
import { HospitalRepository } from './hospital.repository';
import { Hospital } from './hospital.types';

/** The hospital registry (its API keys live in @app/auth's api_key table). */
@Injectable()
export class HospitalService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly hospitals: HospitalRepository,
    private readonly apiKeys: ApiKeyService,
    private readonly divisions: DivisionDirectory,
  ) {}

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
    if (this.divisions.find(hospital.countyDivisionCode)?.level !== 'county') {
      throw new DomainException(
        'UNKNOWN_DIVISION',
        'invalid',
        `${hospital.countyDivisionCode} is not a county`,
      );
    }
    return this.tx.run(async () => {
      if (!(await this.hospitals.insertIfAbsent(hospital))) return undefined;
      const issued = await this.apiKeys.issue({
        organisationId: hospital.id,
        organisationKind: 'hospital',
        organisationName: hospital.name,
        divisionCode: hospital.countyDivisionCode,
      });
      return issued.apiKey;
    }, systemActor('hospital-registry'));
  }
}
