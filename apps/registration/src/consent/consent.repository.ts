import { Injectable } from '@nestjs/common';
import { ConsentPurpose } from '@app/contracts';
import { TransactionHost } from '@app/persistence';
import { ConsentRecord } from './consent-policy';

export interface NewConsent {
  readonly patientId: string;
  readonly purpose: ConsentPurpose;
  readonly grantedBy: 'patient' | 'guardian';
  readonly method: string;
  readonly recordedBy: string;
  readonly grantedAt: Date;
  readonly expiresAt: Date | null;
}

@Injectable()
export class ConsentRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(consents: NewConsent[]): Promise<void> {
    for (const c of consents) {
      await this.tx.manager.query(
        `INSERT INTO ${this.tx.schema}.consent (patient_id, purpose, granted_by, method, recorded_by, granted_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [c.patientId, c.purpose, c.grantedBy, c.method, c.recordedBy, c.grantedAt, c.expiresAt],
      );
    }
  }

  async findByPatient(patientId: string): Promise<ConsentRecord[]> {
    const rows = await this.tx.manager.query<
      {
        purpose: ConsentPurpose;
        granted_by: 'patient' | 'guardian';
        granted_at: Date;
        expires_at: Date | null;
        withdrawn_at: Date | null;
      }[]
    >(
      `SELECT purpose, granted_by, granted_at, expires_at, withdrawn_at FROM ${this.tx.schema}.consent
        WHERE patient_id = $1 ORDER BY granted_at`,
      [patientId],
    );
    return rows.map((r) => ({
      purpose: r.purpose,
      grantedBy: r.granted_by,
      grantedAt: r.granted_at,
      expiresAt: r.expires_at,
      withdrawnAt: r.withdrawn_at,
    }));
  }

  /** Marks every live consent of the purposes withdrawn; returns how many. */
  async withdraw(patientId: string, purposes: readonly ConsentPurpose[], at: Date): Promise<number> {
    const result = await this.tx.manager.query<[unknown[], number]>(
      `UPDATE ${this.tx.schema}.consent SET withdrawn_at = $3
        WHERE patient_id = $1 AND purpose = ANY($2) AND withdrawn_at IS NULL`,
      [patientId, purposes, at],
    );
    return result[1];
  }
}
