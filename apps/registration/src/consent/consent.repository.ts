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

interface RawConsent {
  purpose: ConsentPurpose;
  granted_by: 'patient' | 'guardian';
  granted_at: Date;
  expires_at: Date | null;
  withdrawn_at: Date | null;
}

const CONSENT_COLUMNS = 'purpose, granted_by, granted_at, expires_at, withdrawn_at';

/** The rows to insert: one array parameter per column, $1 to $7 (see {@link consentParameters}). */
const CONSENT_ROWS = `SELECT u.patient_id, u.purpose, u.granted_by, u.method, u.recorded_by, u.granted_at, u.expires_at
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
    AS u(patient_id, purpose, granted_by, method, recorded_by, granted_at, expires_at)`;

function consentParameters(consents: readonly NewConsent[]): unknown[] {
  return [
    consents.map((c) => c.patientId),
    consents.map((c) => c.purpose),
    consents.map((c) => c.grantedBy),
    consents.map((c) => c.method),
    consents.map((c) => c.recordedBy),
    consents.map((c) => c.grantedAt),
    consents.map((c) => c.expiresAt),
  ];
}

const toConsent = (r: RawConsent): ConsentRecord => ({
  purpose: r.purpose,
  grantedBy: r.granted_by,
  grantedAt: r.granted_at,
  expiresAt: r.expires_at,
  withdrawnAt: r.withdrawn_at,
});

@Injectable()
export class ConsentRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Records the consents (one statement however many). */
  async insert(consents: readonly NewConsent[]): Promise<void> {
    if (consents.length === 0) return;
    await this.tx.manager.query(
      `INSERT INTO ${this.tx.schema}.consent (patient_id, purpose, granted_by, method, recorded_by, granted_at, expires_at)
       ${CONSENT_ROWS}`,
      consentParameters(consents),
    );
  }

  /**
   * Records a patient's new consents and returns every consent of the patient, the new ones included, in one
   * round trip (the rows a statement inserts are not visible to its own scan, so they are added from RETURNING).
   */
  async recordAndList(
    patientId: string,
    consents: readonly Omit<NewConsent, 'patientId'>[],
  ): Promise<ConsentRecord[]> {
    const rows = await this.tx.manager.query<RawConsent[]>(
      `WITH added AS (
         INSERT INTO ${this.tx.schema}.consent (patient_id, purpose, granted_by, method, recorded_by, granted_at, expires_at)
         ${CONSENT_ROWS}
         RETURNING ${CONSENT_COLUMNS})
       SELECT ${CONSENT_COLUMNS} FROM ${this.tx.schema}.consent WHERE patient_id = $8
       UNION ALL SELECT ${CONSENT_COLUMNS} FROM added`,
      [...consentParameters(consents.map((c) => ({ ...c, patientId }))), patientId],
    );
    return rows.map(toConsent).sort((a, b) => a.grantedAt.getTime() - b.grantedAt.getTime());
  }

  /** The patient's consents; `recordedBy`: only those that organisation recorded (a filing channel's view). */
  async findByPatient(patientId: string, recordedBy?: string): Promise<ConsentRecord[]> {
    const rows = await this.tx.manager.query<RawConsent[]>(
      `SELECT ${CONSENT_COLUMNS} FROM ${this.tx.schema}.consent
        WHERE patient_id = $1 AND ($2::text IS NULL OR recorded_by = $2) ORDER BY granted_at`,
      [patientId, recordedBy ?? null],
    );
    return rows.map(toConsent);
  }

  /** A confirmed identity merge: the duplicate record's consents become the survivor's. */
  async moveToPatient(fromPatientId: string, toPatientId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.tx.schema}.consent SET patient_id = $2 WHERE patient_id = $1`,
      [fromPatientId, toPatientId],
    );
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
