import { Injectable } from '@nestjs/common';
import { GreenRoute, GreenTrigger } from '@app/contracts';
import { KeysetPosition } from '@app/core';
import { TransactionHost } from '@app/persistence';

export const GREEN_CASE_STATUSES = ['offered', 'acknowledged', 'readmitted', 'unplaced'] as const;
export type GreenCaseStatus = (typeof GREEN_CASE_STATUSES)[number];

/** A green case as the service works with it (never leaves the feature: mapped to DTOs). */
export interface GreenCaseRecord {
  caseId: string;
  referralId: string;
  siteId: string;
  observedRiskLevel: number;
  trigger: GreenTrigger;
  reportedAt: Date;
  countyDivisionCode: string | null;
  status: GreenCaseStatus;
  hospitalId: string | null;
  route: GreenRoute | null;
  step: number;
  tried: string[];
  jointManagement: boolean;
  notifiedAt: Date | null;
  answerDueAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
  readmittedAt: Date | null;
}

interface Row {
  event_id: string;
  referral_id: string;
  site_id: string;
  observed_risk_level: number;
  trigger: GreenTrigger;
  reported_at: Date;
  county_division_code: string | null;
  status: GreenCaseStatus;
  hospital_id: string | null;
  route: GreenRoute | null;
  step: number;
  tried_hospital_ids: string[];
  joint_management: boolean;
  notified_at: Date | null;
  answer_due_at: Date | null;
  acknowledged_by: string | null;
  acknowledged_at: Date | null;
  readmitted_at: Date | null;
}

const toRecord = (r: Row): GreenCaseRecord => ({
  caseId: r.event_id,
  referralId: r.referral_id,
  siteId: r.site_id,
  observedRiskLevel: Number(r.observed_risk_level),
  trigger: r.trigger,
  reportedAt: r.reported_at,
  countyDivisionCode: r.county_division_code,
  status: r.status,
  hospitalId: r.hospital_id,
  route: r.route,
  step: Number(r.step),
  tried: r.tried_hospital_ids,
  jointManagement: r.joint_management,
  notifiedAt: r.notified_at,
  answerDueAt: r.answer_due_at,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at,
  readmittedAt: r.readmitted_at,
});

/** Green cases (one per relapse report), their current hospital and their acknowledgement timer. */
@Injectable()
export class GreenCaseRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /** The discharging hospital and residence county of a referral that came from a hospital here. */
  async referralOrigin(referralId: string): Promise<{ hospitalId: string; countyCode: string } | undefined> {
    const [row] = await this.tx.manager.query<{ hospital_id: string; residence_division_code: string }[]>(
      `SELECT hospital_id, residence_division_code FROM ${this.s}.referral WHERE id = $1`,
      [referralId],
    );
    return row && { hospitalId: row.hospital_id, countyCode: row.residence_division_code.slice(0, 6) };
  }

  /**
   * Opens a case unless this report was already recorded or the referral already has an open case (a second
   * report joins it). Returns the new case, or undefined.
   */
  async open(c: {
    caseId: string;
    referralId: string;
    siteId: string;
    observedRiskLevel: number;
    trigger: GreenTrigger;
    reportedAt: string;
    countyDivisionCode: string | null;
    jointManagement: boolean;
  }): Promise<GreenCaseRecord | undefined> {
    const rows = await this.tx.manager.query<Row[]>(
      `INSERT INTO ${this.s}.green_case (event_id, referral_id, site_id, observed_risk_level, reported_at, trigger,
                                         county_division_code, joint_management, status)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, 'unplaced'
        WHERE NOT EXISTS (SELECT 1 FROM ${this.s}.green_case
                           WHERE referral_id = $2 AND status IN ('offered', 'acknowledged'))
       ON CONFLICT DO NOTHING RETURNING *`,
      [
        c.caseId,
        c.referralId,
        c.siteId,
        c.observedRiskLevel,
        c.reportedAt,
        c.trigger,
        c.countyDivisionCode,
        c.jointManagement,
      ],
    );
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET green_reported_at = $2, updated_at = now() WHERE id = $1`,
      [c.referralId, c.reportedAt],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** The case, locked for a change; `hospitalId` limits it to the case that hospital currently holds. */
  async lock(caseId: string, options: { hospitalId?: string; skipLocked?: boolean } = {}) {
    const rows = await this.tx.manager.query<Row[]>(
      `SELECT * FROM ${this.s}.green_case WHERE event_id = $1 AND ($2::text IS NULL OR hospital_id = $2)
        FOR UPDATE${options.skipLocked ? ' SKIP LOCKED' : ''}`,
      [caseId, options.hospitalId ?? null],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** The case as one hospital may see it (the one it is assigned to), or undefined. */
  async findHeldBy(hospitalId: string, caseId: string): Promise<GreenCaseRecord | undefined> {
    const rows = await this.tx.manager.query<Row[]>(
      `SELECT * FROM ${this.s}.green_case WHERE event_id = $1 AND hospital_id = $2`,
      [caseId, hospitalId],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** The hospital's worklist: its cases, oldest report first, after a keyset position. */
  async pageForHospital(
    hospitalId: string,
    status: GreenCaseStatus | undefined,
    after: KeysetPosition | undefined,
    limit: number,
  ): Promise<GreenCaseRecord[]> {
    const rows = await this.tx.manager.query<Row[]>(
      `SELECT * FROM ${this.s}.green_case
        WHERE hospital_id = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (reported_at, event_id) > ($3::timestamptz, $4::uuid))
        ORDER BY reported_at, event_id LIMIT $5`,
      [hospitalId, status ?? null, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(toRecord);
  }

  /** Offers the case to a hospital: the acknowledgement timer starts. */
  async offer(caseId: string, hospitalId: string, route: GreenRoute, at: Date, answerDueAt: Date) {
    await this.tx.manager.query(
      `UPDATE ${this.s}.green_case SET status = 'offered', hospital_id = $2, route = $3, step = step + 1,
              tried_hospital_ids = array_append(tried_hospital_ids, $2), notified_at = $4, answer_due_at = $5,
              acknowledged_by = NULL, acknowledged_at = NULL, updated_at = now()
        WHERE event_id = $1`,
      [caseId, hospitalId, route, at, answerDueAt],
    );
  }

  /** Nobody is left on the ladder: ops place the patient by hand. */
  async markUnplaced(caseId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.green_case SET status = 'unplaced', hospital_id = NULL, answer_due_at = NULL,
              updated_at = now() WHERE event_id = $1`,
      [caseId],
    );
  }

  async markAcknowledged(caseId: string, by: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.green_case SET status = 'acknowledged', acknowledged_by = $2, acknowledged_at = $3,
              answer_due_at = NULL, updated_at = now() WHERE event_id = $1`,
      [caseId, by, at],
    );
  }

  async markReadmitted(caseId: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.green_case SET status = 'readmitted', readmitted_at = $2, answer_due_at = NULL,
              updated_at = now() WHERE event_id = $1`,
      [caseId, at],
    );
  }

  /** Ids of offered cases whose acknowledgement window has passed by `now` (the sweeper's timer query). */
  async overdue(now: Date, limit: number): Promise<string[]> {
    const rows = await this.tx.manager.query<{ event_id: string }[]>(
      `SELECT event_id FROM ${this.s}.green_case WHERE status = 'offered' AND answer_due_at <= $1
        ORDER BY answer_due_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.event_id);
  }
}
