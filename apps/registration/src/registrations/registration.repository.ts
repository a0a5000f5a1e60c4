import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

export type RegistrationStatus =
  | 'pending'
  | 'registered'
  | 'green-channel'
  | 'consent-withdrawn'
  | 'expired'
  /** The person's other record was confirmed the same person: its applications moved there. */
  | 'merged';

export interface RegistrationRow {
  readonly id: string;
  readonly patientId: string;
  readonly status: RegistrationStatus;
  readonly previousSiteId: string | null;
}

/** A new registration: pending, or registered when its first application registers at once. */
export interface NewRegistration {
  readonly id: string;
  readonly patientId: string;
  readonly status: Extract<RegistrationStatus, 'pending' | 'registered'>;
  readonly registeredAt: Date | null;
}

/**
 * The CTE `new_registration` inserting a {@link NewRegistration} from four placeholders (id, patient id,
 * status, registered at): a registration is only ever created with its first application, and
 * ApplicationRepository.insertApplication writes both in one statement (issue #22: one round trip fewer per
 * referral). The application's foreign key is checked at the end of that statement, when the row exists.
 */
export function newRegistrationCte(
  schema: string,
  placeholders: readonly [string, string, string, string],
): string {
  const [id, patientId, status, registeredAt] = placeholders;
  return `new_registration AS (
         INSERT INTO ${schema}.registration (id, patient_id, status, registered_at)
         VALUES (${id}, ${patientId}, ${status}, ${registeredAt}))`;
}

/** Registrations: one per person, whichever channels filed for them (the `registration` table). */
@Injectable()
export class RegistrationRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  async findRegistrationByPatient(patientId: string): Promise<RegistrationRow | undefined> {
    return this.lockRegistrationWhere('patient_id', patientId);
  }

  async findRegistration(id: string): Promise<RegistrationRow | undefined> {
    return this.lockRegistrationWhere('id', id);
  }

  /** The registration row, locked for the rest of the transaction. */
  private async lockRegistrationWhere(
    column: 'id' | 'patient_id',
    value: string,
  ): Promise<RegistrationRow | undefined> {
    const [row] = await this.tx.manager.query<
      { id: string; patient_id: string; status: RegistrationStatus; previous_site_id: string | null }[]
    >(
      `SELECT id, patient_id, status, previous_site_id FROM ${this.s}.registration WHERE ${column} = $1 FOR UPDATE`,
      [value],
    );
    return row
      ? { id: row.id, patientId: row.patient_id, status: row.status, previousSiteId: row.previous_site_id }
      : undefined;
  }

  async setRegistrationStatus(
    id: string,
    status: RegistrationStatus,
    extra: { registeredAt?: Date; withdrawnAt?: Date; previousSiteId?: string } = {},
  ): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.registration SET status = $2, registered_at = COALESCE($3, registered_at),
         withdrawn_at = COALESCE($4, withdrawn_at), previous_site_id = COALESCE($5, previous_site_id), updated_at = now()
       WHERE id = $1`,
      [id, status, extra.registeredAt ?? null, extra.withdrawnAt ?? null, extra.previousSiteId ?? null],
    );
  }

  /** A confirmed identity merge: this registration's person is the one of `survivorId`. */
  async markMerged(id: string, survivorId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.registration SET status = 'merged', merged_into = $2, updated_at = now() WHERE id = $1`,
      [id, survivorId],
    );
  }

  async patientRefOf(registrationId: string): Promise<string> {
    const rows = await this.tx.manager.query<{ patient_id: string }[]>(
      `SELECT patient_id FROM ${this.s}.registration WHERE id = $1`,
      [registrationId],
    );
    return rows[0].patient_id;
  }

  /** A registration with nothing registered and nothing open left is expired (a later application restarts it). */
  async expireRegistrationIfIdle(registrationId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.registration r SET status = 'expired', updated_at = now()
        WHERE r.id = $1 AND r.status = 'pending' AND NOT EXISTS (
          SELECT 1 FROM ${this.s}.application a WHERE a.registration_id = r.id AND a.ended_at IS NULL
            AND a.status IN ('received', 'assessment-requested', 'awaiting-consent', 'registered'))`,
      [registrationId],
    );
  }
}
