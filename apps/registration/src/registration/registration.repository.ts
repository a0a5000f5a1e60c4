import { Injectable } from '@nestjs/common';
import {
  ApplicationChannel,
  ColourGrade,
  ConditionStatus,
  ConsentPurpose,
  RehabService,
} from '@app/contracts';
import { TransactionHost } from '@app/persistence';

export type RegistrationStatus = 'pending' | 'registered' | 'green-channel' | 'consent-withdrawn' | 'expired';
export type ApplicationStatus =
  | 'received'
  | 'assessment-requested'
  | 'awaiting-consent'
  | 'registered'
  | 'ineligible'
  | 'rejected'
  | 'merged'
  | 'expired'
  | 'consent-withdrawn'
  | 'refused';

/** Application states that are still going somewhere. */
export const OPEN_APPLICATION_STATUSES: readonly ApplicationStatus[] = [
  'received',
  'assessment-requested',
  'awaiting-consent',
];

export interface RegistrationRow {
  readonly id: string;
  readonly patientId: string;
  readonly status: RegistrationStatus;
  readonly previousSiteId: string | null;
}

export interface Assessment {
  readonly riskLevel: number;
  readonly conditionStatus: ConditionStatus;
  readonly colourGrade: ColourGrade;
  readonly eligible: boolean;
  readonly needs: RehabService[];
  readonly employmentInterest: boolean;
  readonly assessedAt: Date;
}

export interface ApplicationRow {
  readonly id: string;
  readonly registrationId: string;
  readonly channel: ApplicationChannel;
  readonly organisationId: string;
  readonly status: ApplicationStatus;
  readonly linkedBy: string | null;
  readonly mergedInto: string | null;
  readonly residenceDivisionCode: string;
  readonly needs: RehabService[];
  readonly preferredSiteId: string | null;
  readonly assessment: Assessment | null;
  readonly receivedAt: Date;
  readonly registerDueAt: Date;
  readonly slaBreachedAt: Date | null;
  readonly verifiedAt: Date | null;
  readonly awaitingConsentSince: Date | null;
  readonly missingPurpose: ConsentPurpose | null;
  readonly remindersSent: number;
  readonly registeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly endReason: string | null;
}

export interface NewApplication {
  readonly id: string;
  readonly registrationId: string;
  readonly channel: ApplicationChannel;
  readonly organisationId: string;
  readonly encounterId: string | null;
  readonly status: ApplicationStatus;
  readonly linkedBy: string | null;
  readonly residenceDivisionCode: string;
  readonly needs: RehabService[];
  readonly preferredSiteId: string | null;
  readonly receivedAt: Date;
  readonly registerDueAt: Date;
  /** Filed already assessed (hospital): its needs are the assessment's. */
  readonly assessment?: Assessment;
  /** Where the application stands from the start (see ApplicationOutcome); else `status` as given. */
  readonly outcome?: ApplicationOutcome;
}

/** Where an application ends up after the consent gate or a merge, written with the row or onto it. */
export type ApplicationOutcome =
  | { readonly status: 'registered'; readonly at: Date }
  | { readonly status: 'awaiting-consent'; readonly purpose: ConsentPurpose; readonly at: Date }
  | {
      readonly status: Extract<ApplicationStatus, 'ineligible' | 'merged' | 'refused'>;
      readonly reason: string;
      readonly at: Date;
      readonly mergedInto?: string;
    };

/** An application row as Postgres returns it. */
interface RawApplication {
  id: string;
  registration_id: string;
  channel: ApplicationChannel;
  organisation_id: string;
  status: ApplicationStatus;
  linked_by: string | null;
  merged_into: string | null;
  residence_division_code: string;
  needs: RehabService[];
  preferred_site_id: string | null;
  risk_level: number | null;
  condition_status: ConditionStatus | null;
  colour_grade: ColourGrade | null;
  eligible: boolean | null;
  employment_interest: boolean | null;
  assessed_at: Date | null;
  received_at: Date;
  register_due_at: Date;
  sla_breached_at: Date | null;
  verified_at: Date | null;
  awaiting_consent_since: Date | null;
  missing_purpose: ConsentPurpose | null;
  reminders_sent: number;
  last_reminder_at: Date | null;
  registered_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
}

const toApplication = (r: RawApplication): ApplicationRow => ({
  id: r.id,
  registrationId: r.registration_id,
  channel: r.channel,
  organisationId: r.organisation_id,
  status: r.status,
  linkedBy: r.linked_by,
  mergedInto: r.merged_into,
  residenceDivisionCode: r.residence_division_code,
  needs: r.needs,
  preferredSiteId: r.preferred_site_id,
  assessment:
    r.assessed_at === null
      ? null
      : {
          riskLevel: r.risk_level!,
          conditionStatus: r.condition_status!,
          colourGrade: r.colour_grade!,
          eligible: r.eligible!,
          needs: r.needs,
          employmentInterest: r.employment_interest!,
          assessedAt: r.assessed_at,
        },
  receivedAt: r.received_at,
  registerDueAt: r.register_due_at,
  slaBreachedAt: r.sla_breached_at,
  verifiedAt: r.verified_at,
  awaitingConsentSince: r.awaiting_consent_since,
  missingPurpose: r.missing_purpose,
  remindersSent: r.reminders_sent,
  registeredAt: r.registered_at,
  endedAt: r.ended_at,
  endReason: r.end_reason,
});

/** Registrations (one per person) and the applications (one per channel filing) linked to them. */
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

  /** A new registration (pending, or registered when its first application registers at once). */
  async insertRegistration(
    id: string,
    patientId: string,
    status: Extract<RegistrationStatus, 'pending' | 'registered'> = 'pending',
    registeredAt: Date | null = null,
  ): Promise<RegistrationRow> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.registration (id, patient_id, status, registered_at) VALUES ($1, $2, $3, $4)`,
      [id, patientId, status, registeredAt],
    );
    return { id, patientId, status, previousSiteId: null };
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

  /** Inserts the application, with its assessment and outcome when known already; returns the row. */
  async insertApplication(a: NewApplication): Promise<ApplicationRow> {
    const o = a.outcome;
    const rows = await this.tx.manager.query<RawApplication[]>(
      `INSERT INTO ${this.s}.application (id, registration_id, channel, organisation_id, encounter_id, status, linked_by,
         residence_division_code, needs, preferred_site_id, received_at, register_due_at,
         risk_level, condition_status, colour_grade, eligible, employment_interest, assessed_at,
         registered_at, missing_purpose, awaiting_consent_since, ended_at, end_reason, merged_into)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
         $23, $24)
       RETURNING *`,
      [
        a.id,
        a.registrationId,
        a.channel,
        a.organisationId,
        a.encounterId,
        o?.status ?? a.status,
        a.linkedBy,
        a.residenceDivisionCode,
        a.assessment?.needs ?? a.needs,
        a.preferredSiteId,
        a.receivedAt,
        a.registerDueAt,
        a.assessment?.riskLevel ?? null,
        a.assessment?.conditionStatus ?? null,
        a.assessment?.colourGrade ?? null,
        a.assessment?.eligible ?? null,
        a.assessment?.employmentInterest ?? null,
        a.assessment?.assessedAt ?? null,
        o?.status === 'registered' ? o.at : null,
        o?.status === 'awaiting-consent' ? o.purpose : null,
        o?.status === 'awaiting-consent' ? o.at : null,
        o && 'reason' in o ? o.at : null,
        o && 'reason' in o ? o.reason : null,
        o && 'reason' in o ? (o.mergedInto ?? null) : null,
      ],
    );
    return toApplication(rows[0]);
  }

  /**
   * The application of a referral (locked), or whether another application of the same organisation has the
   * same encounter (the same discharge posted again under another referral id): one round trip for both.
   */
  async findReferral(
    id: string,
    organisationId: string,
    encounterId: string,
  ): Promise<{ application?: ApplicationRow; sameEncounter: boolean }> {
    const rows = await this.tx.manager.query<(RawApplication & { by_id: boolean })[]>(
      `SELECT *, id = $1 AS by_id FROM ${this.s}.application
        WHERE id = $1 OR (organisation_id = $2 AND encounter_id = $3) FOR UPDATE`,
      [id, organisationId, encounterId],
    );
    const own = rows.find((r) => r.by_id);
    return { application: own && toApplication(own), sameEncounter: rows.some((r) => !r.by_id) };
  }

  async findApplication(id: string, forUpdate = true): Promise<ApplicationRow | undefined> {
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.s}.application WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toApplication(rows[0]) : undefined;
  }

  async findApplicationsOf(registrationId: string): Promise<ApplicationRow[]> {
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.s}.application WHERE registration_id = $1 ORDER BY received_at, created_at FOR UPDATE`,
      [registrationId],
    );
    return rows.map(toApplication);
  }

  async recordAssessment(id: string, assessment: Assessment): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET risk_level = $2, condition_status = $3, colour_grade = $4, eligible = $5,
         needs = $6, employment_interest = $7, assessed_at = $8 WHERE id = $1`,
      [
        id,
        assessment.riskLevel,
        assessment.conditionStatus,
        assessment.colourGrade,
        assessment.eligible,
        assessment.needs,
        assessment.employmentInterest,
        assessment.assessedAt,
      ],
    );
  }

  async markVerified(id: string, by: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET status = 'assessment-requested', verified_at = $3, verified_by = $2 WHERE id = $1`,
      [id, by, at],
    );
  }

  async markAwaitingConsent(id: string, purpose: ConsentPurpose, since: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET status = 'awaiting-consent', missing_purpose = $2,
         awaiting_consent_since = COALESCE(awaiting_consent_since, $3) WHERE id = $1`,
      [id, purpose, since],
    );
  }

  async markRegistered(id: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET status = 'registered', registered_at = $2, missing_purpose = NULL WHERE id = $1`,
      [id, at],
    );
  }

  async end(
    id: string,
    status: ApplicationStatus,
    reason: string,
    at: Date,
    mergedInto?: string,
  ): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET status = $2, end_reason = $3, ended_at = $4, merged_into = $5 WHERE id = $1`,
      [id, status, reason, at, mergedInto ?? null],
    );
  }

  /** Ends several applications the same way (e.g. superseded by a hospital referral) in one statement. */
  async endAll(
    ids: readonly string[],
    status: ApplicationStatus,
    reason: string,
    at: Date,
    mergedInto?: string,
  ): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET status = $2, end_reason = $3, ended_at = $4, merged_into = $5
        WHERE id = ANY($1::uuid[])`,
      [ids, status, reason, at, mergedInto ?? null],
    );
  }

  /** Open applications past their verify & register deadline whose breach is not recorded yet, locked. */
  async claimOverdue(now: Date, limit = 100): Promise<ApplicationRow[]> {
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.s}.application
        WHERE register_due_at < $1 AND sla_breached_at IS NULL AND registered_at IS NULL AND ended_at IS NULL
        ORDER BY register_due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toApplication);
  }

  async markSlaBreached(id: string, at: Date): Promise<void> {
    await this.tx.manager.query(`UPDATE ${this.s}.application SET sla_breached_at = $2 WHERE id = $1`, [
      id,
      at,
    ]);
  }

  /** Applications awaiting consent whose last reminder (or start) is older than `remindBefore`, locked. */
  async claimAwaitingConsent(limit = 100): Promise<(ApplicationRow & { lastReminderAt: Date | null })[]> {
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.s}.application WHERE status = 'awaiting-consent'
        ORDER BY awaiting_consent_since LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({ ...toApplication(r), lastReminderAt: r.last_reminder_at }));
  }

  async recordReminder(id: string, purpose: ConsentPurpose, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET reminders_sent = reminders_sent + 1, last_reminder_at = $2 WHERE id = $1`,
      [id, at],
    );
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.consent_reminder (application_id, purpose, sent_at) VALUES ($1, $2, $3)`,
      [id, purpose, at],
    );
  }

  /** Applications awaiting an assessment from the county centre of a county. */
  async findAwaitingAssessment(countyCode: string, limit: number): Promise<ApplicationRow[]> {
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.s}.application WHERE status = 'assessment-requested' AND residence_division_code LIKE $1
        ORDER BY received_at LIMIT $2`,
      [`${countyCode}%`, limit],
    );
    return rows.map(toApplication);
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
