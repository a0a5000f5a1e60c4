import { Injectable } from '@nestjs/common';
import { ConsentPurpose, SlaStage } from '@app/contracts';
import { TransactionHost } from '@app/persistence';
import { NewRegistration, newRegistrationCte } from './registration.repository';
import {
  ApplicationRow,
  ApplicationStatus,
  Assessment,
  FileSummary,
  NewApplication,
  RawApplication,
  ReferDeadline,
  RoutingStop,
  toApplication,
} from './application-row';

/** Per SLA stage: its deadline column, its breach column and the column set when the step is done. */
const SLA_COLUMNS: Record<SlaStage, { due: string; breached: string; done: string }> = {
  'verify-and-register': { due: 'register_due_at', breached: 'sla_breached_at', done: 'registered_at' },
  'refer-to-site': { due: 'refer_due_at', breached: 'refer_breached_at', done: 'referred_at' },
};

/**
 * Applications (one per channel filing) of a registration, their deadlines and consent reminders: every write
 * to the `application` and `consent_reminder` tables.
 */
@Injectable()
export class ApplicationRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /**
   * Inserts the application, with its assessment and outcome when known already; returns the row. The person's
   * first application brings their new registration (`a.registrationId` is its id), written in the same
   * statement.
   */
  async insertApplication(a: NewApplication, registration?: NewRegistration): Promise<ApplicationRow> {
    const o = a.outcome;
    if (registration && registration.id !== a.registrationId) {
      throw new Error(
        `Application ${a.id} names registration ${a.registrationId}, not the new ${registration.id}`,
      );
    }
    const withRegistration = registration
      ? `WITH ${newRegistrationCte(this.s, ['$28::uuid', '$29::uuid', '$30', '$31::timestamptz'])}\n       `
      : '';
    const rows = await this.tx.manager.query<RawApplication[]>(
      `${withRegistration}INSERT INTO ${this.s}.application (id, registration_id, channel, organisation_id, encounter_id, status, linked_by,
         residence_division_code, needs, preferred_site_id, received_at, register_due_at,
         risk_level, condition_status, colour_grade, eligible, employment_interest, assessed_at,
         registered_at, missing_purpose, awaiting_consent_since, ended_at, end_reason, merged_into,
         register_due_provisional, refer_due_at, refer_due_provisional)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
         $23, $24, $25, $26, $27)
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
        a.registerDueProvisional ?? false,
        o?.status === 'registered' ? (a.referDueAt ?? null) : null,
        o?.status === 'registered' ? (a.referDueProvisional ?? false) : false,
        ...(registration
          ? [registration.id, registration.patientId, registration.status, registration.registeredAt]
          : []),
      ],
    );
    return toApplication(rows[0]);
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

  /** Registered: the refer-to-a-site deadline starts (again, after a green-channel stay). */
  async markRegistered(id: string, at: Date, refer: ReferDeadline): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET status = 'registered', registered_at = $2, missing_purpose = NULL,
         refer_due_at = $3, refer_due_provisional = $4, referred_at = NULL, refer_breached_at = NULL
       WHERE id = $1`,
      [id, at, refer.referDueAt, refer.referDueProvisional],
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

  /** 初核登记 of an application for a person already in hand: verified and filed into `into` at once. */
  async mergeAtVerification(id: string, by: string, at: Date, into: string, reason: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET status = 'merged', verified_at = $3, verified_by = $2, ended_at = $3,
         merged_into = $4, end_reason = $5 WHERE id = $1`,
      [id, by, at, into, reason],
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

  /** A confirmed identity merge: the duplicate registration's applications join the survivor's. */
  async moveToRegistration(fromRegistrationId: string, toRegistrationId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET registration_id = $2, linked_by = COALESCE(linked_by, 'identity-review')
        WHERE registration_id = $1`,
      [fromRegistrationId, toRegistrationId],
    );
  }

  /** Open applications past a stage's deadline, the step not done and the breach not recorded yet, locked. */
  async claimOverdue(stage: SlaStage, now: Date, limit = 100): Promise<ApplicationRow[]> {
    const c = SLA_COLUMNS[stage];
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.s}.application
        WHERE ${c.due} < $1 AND ${c.breached} IS NULL AND ${c.done} IS NULL AND ended_at IS NULL
        ORDER BY ${c.due} LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toApplication);
  }

  async markBreached(stage: SlaStage, id: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.application SET ${SLA_COLUMNS[stage].breached} = $2 WHERE id = $1`,
      [id, at],
    );
  }

  /** The first site assignment meets the refer-to-a-site deadline; false for an unknown or met one. */
  /**
   * Keeps rehab-site's latest summary of the subject's file on the application of that referral; an older
   * summary (redelivered or out of order) never replaces a newer one. False when nothing changed.
   */
  async recordFileSummary(id: string, summary: FileSummary): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.s}.application SET file_summary = $2::jsonb
        WHERE id = $1 AND (file_summary IS NULL OR (file_summary->>'updatedAt')::timestamptz <= $3::timestamptz)`,
      [id, JSON.stringify(summary), summary.updatedAt],
    );
    return count === 1;
  }

  /**
   * Routing stopped at rehab-site (see {@link RoutingStop}). Ignored when older than the stop kept or than the
   * latest site assignment heard of (a refusal arriving after the assignment that superseded it).
   */
  async markRoutingStopped(id: string, stop: RoutingStop): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.s}.application
          SET routing_stopped_reason = $2, routing_stopped_site_id = $3, routing_stopped_at = $4
        WHERE id = $1 AND (routing_stopped_at IS NULL OR routing_stopped_at <= $4)
          AND (last_assigned_at IS NULL OR last_assigned_at <= $4)`,
      [id, stop.reason, stop.siteId, stop.at],
    );
    return count === 1;
  }

  /**
   * A site was assigned at `at`, in one statement: the first assignment meets the refer-to-a-site deadline
   * (`referred_at`, if one is due and not met yet), it is kept as the latest assignment, and a routing stop from
   * before it is cleared. Answers the application as updated (undefined: registration does not know it).
   */
  async recordSiteAssigned(id: string, at: Date): Promise<ApplicationRow | undefined> {
    const [rows] = await this.tx.manager.query<[RawApplication[], number]>(
      `UPDATE ${this.s}.application
          SET referred_at = CASE WHEN refer_due_at IS NOT NULL AND referred_at IS NULL THEN $2 ELSE referred_at END,
              last_assigned_at = GREATEST(last_assigned_at, $2),
              routing_stopped_reason = CASE WHEN routing_stopped_at <= $2 THEN NULL ELSE routing_stopped_reason END,
              routing_stopped_site_id = CASE WHEN routing_stopped_at <= $2 THEN NULL ELSE routing_stopped_site_id END,
              routing_stopped_at = CASE WHEN routing_stopped_at <= $2 THEN NULL ELSE routing_stopped_at END
        WHERE id = $1
        RETURNING *`,
      [id, at],
    );
    return rows[0] ? toApplication(rows[0]) : undefined;
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
}
