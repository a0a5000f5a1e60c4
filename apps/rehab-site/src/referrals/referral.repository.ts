import { Injectable } from '@nestjs/common';
import { ColourGrade, ServiceRecordKind } from '@app/contracts';
import { DomainException, KeysetPosition } from '@app/core';
import { TransactionHost } from '@app/persistence';
import {
  CandidateAssignment,
  CandidateQuery,
  placeAtBestCandidateSql,
  RoutingTarget,
  RoutingTargetRow,
  routingAreaValues,
  SITE_PLACES,
  toRoutingTarget,
} from '../directory/site.repository';
import { ReferralStatus } from './referral-lifecycle';
import {
  Assignment,
  NewReferral,
  PlacedReferral,
  ReferralRecord,
  ReferralRow,
  registeredValues,
  toReferralRecord,
} from './referral-record';
import { notWithdrawnEarlySql } from './early-withdrawal.repository';

export type { Assignment, NewReferral, PlacedReferral, ReferralRecord } from './referral-record';

/** One entry of the subject's file. */
export interface ServiceRecordRow {
  id: string;
  siteId: string;
  kind: ServiceRecordKind;
  occurredAt: Date;
  recordedAt: Date;
  details: object;
}

export interface FileTotals {
  sessionCount: number;
  lastSessionAt: Date | null;
  assessmentCount: number;
  lastAssessmentAt: Date | null;
}

/** A serving referral whose periodic assessment falls due (or is overdue). */
export interface ReviewDue {
  referralId: string;
  siteId: string;
  reviewBy: Date;
}

/** Statuses a site may still see (withdrawal revokes access). */
const SITE_VISIBLE = `status NOT IN ('consent-withdrawn', 'cancelled')`;

/** All I/O on referrals held at rehab-site: assignments, exclusions, a site's list. */
@Injectable()
export class ReferralRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /**
   * Records a registered referral (status `unplaced` until routed) and answers it, locked for routing by its
   * own insert until commit; undefined when it is already known or was withdrawn before it arrived.
   */
  async insertRegistered(referral: NewReferral): Promise<ReferralRecord | undefined> {
    const [row] = await this.tx.manager.query<ReferralRow[]>(
      `INSERT INTO ${this.s}.referral (referral_id, registration_id, patient_ref, residence_division_code, needs,
              risk_level, colour_grade, preferred_site_id, previous_site_id, registered_at, sealed_contact, status)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, 'unplaced'
        WHERE ${notWithdrawnEarlySql(this.s, '$1::uuid')}
       ON CONFLICT (referral_id) DO NOTHING RETURNING *`,
      registeredValues(referral),
    );
    return row ? toReferralRecord(row) : undefined;
  }

  /**
   * Records a registered referral and, in the same statement, routes it to the best candidate with a free place
   * (the site directory's {@link placeAtBestCandidateSql}): the row is written as assigned and the place taken (at the commit, see SITE_PLACES); with no candidate it is
   * written unplaced (hop 0) for manual placement. Undefined when the referral is already known or was withdrawn
   * before it arrived (nothing
   * reserved: candidates are only looked for while it is not). The row stays locked by its insert until commit.
   */
  async insertRegisteredAndPlace(
    referral: NewReferral,
    areaCodes: string[],
    assignment: CandidateAssignment,
  ): Promise<PlacedReferral | undefined> {
    const rows = await this.tx.manager.query<
      (ReferralRow & {
        placed_site_id: string | null;
        placed_site_name: string | null;
        placed_site_county_code: string | null;
        placed_site_has_webhook: boolean | null;
        placed_site_contact_address: string | null;
        placed_site_contact_phone: string | null;
      })[]
    >(
      `WITH ${placeAtBestCandidateSql(this.s, {
        areaCodes: ['$12::text', '$13::text', '$14::text'],
        needs: '$5::text[]',
        riskLevel: '$6::int',
        referralId: '$1::uuid',
        previousSiteId: '$9::text',
        preferredSiteId: '$8::text',
        also: `NOT EXISTS (SELECT 1 FROM ${this.s}.referral k WHERE k.referral_id = $1::uuid)
          AND ${notWithdrawnEarlySql(this.s, '$1::uuid')}`,
      })}, inserted AS (
         INSERT INTO ${this.s}.referral (referral_id, registration_id, patient_ref, residence_division_code, needs,
                risk_level, colour_grade, preferred_site_id, previous_site_id, registered_at, sealed_contact, status,
                site_id, hop, assigned_at, answer_due_at, needs_manual_placement, holds_place)
         SELECT $1::uuid, $2, $3, $4, $5::text[], $6::int, $7, $8::text, $9::text, $10, $11::jsonb,
                CASE WHEN p.id IS NULL THEN 'unplaced' ELSE 'assigned' END, p.id,
                CASE WHEN p.id IS NULL THEN 0 ELSE $15::int END,
                CASE WHEN p.id IS NULL THEN NULL ELSE $16::timestamptz END,
                CASE WHEN p.id IS NULL THEN NULL ELSE $17::timestamptz END,
                false, p.id IS NOT NULL
           FROM (SELECT 1) one LEFT JOIN placed p ON true
          WHERE ${notWithdrawnEarlySql(this.s, '$1::uuid')}
         ON CONFLICT (referral_id) DO NOTHING
         RETURNING *
       )
       SELECT i.*, p.id AS placed_site_id, p.name AS placed_site_name, p.county_code AS placed_site_county_code,
              p.has_webhook AS placed_site_has_webhook, p.contact_address AS placed_site_contact_address,
              p.contact_phone AS placed_site_contact_phone
         FROM (SELECT 1) one LEFT JOIN inserted i ON true LEFT JOIN placed p ON true`,
      [
        ...registeredValues(referral),
        ...routingAreaValues(areaCodes),
        assignment.hop,
        assignment.assignedAt,
        assignment.answerDueAt,
      ],
    );
    const [row] = rows;
    if (!row?.referral_id) {
      if (row?.placed_site_id) {
        // Another delivery is writing the same referral right now: retry to see what it wrote.
        throw new DomainException(
          'REFERRAL_REGISTERED_CONCURRENTLY',
          'unavailable',
          'The referral is being registered by another delivery; retry',
        );
      }
      return undefined;
    }
    if (row.placed_site_id) await SITE_PLACES.take(this.tx, row.placed_site_id);
    return {
      referral: toReferralRecord(row),
      site: row.placed_site_id
        ? toRoutingTarget({
            id: row.placed_site_id,
            name: row.placed_site_name!,
            county_code: row.placed_site_county_code!,
            has_webhook: row.placed_site_has_webhook!,
            contact_address: row.placed_site_contact_address,
            contact_phone: row.placed_site_contact_phone,
          })
        : undefined,
    };
  }

  /**
   * In one statement: picks the best site that may take this referral (the site directory's
   * {@link placeAtBestCandidateSql}) and assigns the referral to it, then takes one of its places (SITE_PLACES); undefined when no site qualifies
   * (nothing changed then). The referral row must be locked by the caller.
   */
  async assignBestCandidate(
    query: CandidateQuery,
    assignment: CandidateAssignment,
  ): Promise<RoutingTarget | undefined> {
    const [rows] = await this.tx.manager.query<[RoutingTargetRow[], number]>(
      `WITH ${placeAtBestCandidateSql(this.s, {
        areaCodes: ['$1::text', '$2::text', '$3::text'],
        needs: '$4::text[]',
        riskLevel: '$5',
        referralId: '$6',
        previousSiteId: '$7',
        preferredSiteId: '$8',
      })}
       UPDATE ${this.s}.referral r SET status = 'assigned', site_id = placed.id, hop = $9, assigned_at = $10,
              answer_due_at = $11, needs_manual_placement = false, holds_place = true, updated_at = now()
         FROM placed
        WHERE r.referral_id = $6
       RETURNING placed.id, placed.name, placed.county_code, placed.has_webhook, placed.contact_address,
                 placed.contact_phone`,
      [
        ...routingAreaValues(query.areaCodes),
        query.needs,
        query.riskLevel,
        query.referralId,
        query.previousSiteId ?? null,
        query.preferredSiteId ?? null,
        assignment.hop,
        assignment.assignedAt,
        assignment.answerDueAt,
      ],
    );
    const [row] = rows;
    if (!row) return undefined;
    await SITE_PLACES.take(this.tx, row.id);
    return toRoutingTarget(row);
  }

  /** Locks the referral for a state change. */
  async lock(
    referralId: string,
    options: { skipLocked?: boolean } = {},
  ): Promise<ReferralRecord | undefined> {
    const [row] = await this.tx.manager.query<ReferralRow[]>(
      `SELECT * FROM ${this.s}.referral WHERE referral_id = $1 FOR UPDATE${options.skipLocked ? ' SKIP LOCKED' : ''}`,
      [referralId],
    );
    return row ? toReferralRecord(row) : undefined;
  }

  /** Locks a referral the site currently holds (anything else is invisible to it). */
  async lockHeldBy(siteId: string, referralId: string): Promise<ReferralRecord | undefined> {
    const [row] = await this.tx.manager.query<ReferralRow[]>(
      `SELECT * FROM ${this.s}.referral WHERE referral_id = $1 AND site_id = $2 AND ${SITE_VISIBLE} FOR UPDATE`,
      [referralId, siteId],
    );
    return row ? toReferralRecord(row) : undefined;
  }

  async findHeldBy(siteId: string, referralId: string): Promise<ReferralRecord | undefined> {
    const [row] = await this.tx.manager.query<ReferralRow[]>(
      `SELECT * FROM ${this.s}.referral WHERE referral_id = $1 AND site_id = $2 AND ${SITE_VISIBLE}`,
      [referralId, siteId],
    );
    return row ? toReferralRecord(row) : undefined;
  }

  /** One page of the site's referrals in (assigned_at, referral_id) order, after `after` (at, id). */
  async pageForSite(
    siteId: string,
    status: ReferralStatus | undefined,
    after: KeysetPosition | undefined,
    limit: number,
  ): Promise<ReferralRecord[]> {
    const rows = await this.tx.manager.query<ReferralRow[]>(
      `SELECT * FROM ${this.s}.referral
        WHERE site_id = $1 AND ${SITE_VISIBLE}
          AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (assigned_at, referral_id) > ($3::timestamptz, $4::uuid))
        ORDER BY assigned_at, referral_id
        LIMIT $5`,
      [siteId, status ?? null, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(toReferralRecord);
  }

  async assign(referralId: string, assignment: Assignment): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET status = 'assigned', site_id = $2, hop = $3, assigned_at = $4, answer_due_at = $5,
              needs_manual_placement = $6, holds_place = $7, updated_at = now()
        WHERE referral_id = $1`,
      [
        referralId,
        assignment.siteId,
        assignment.hop,
        assignment.assignedAt,
        assignment.answerDueAt,
        assignment.needsManualPlacement,
        assignment.holdsPlace,
      ],
    );
  }

  /** No site can take it: kept unplaced (site cleared) for ops. */
  async markUnplaced(referralId: string, hop: number): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET status = 'unplaced', site_id = NULL, holds_place = false, hop = $2,
              needs_manual_placement = true, answer_due_at = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [referralId, hop],
    );
  }

  async setStatus(
    referralId: string,
    status: ReferralStatus,
    extra: {
      acceptedAt?: Date;
      closedAt?: Date;
      outcome?: string;
      followUp?: object;
      holdsPlace?: boolean;
    } = {},
  ): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET status = $2,
              accepted_at = COALESCE($3, accepted_at), closed_at = COALESCE($4, closed_at),
              outcome = COALESCE($5, outcome), follow_up = COALESCE($6::jsonb, follow_up),
              holds_place = COALESCE($7, holds_place), updated_at = now()
        WHERE referral_id = $1`,
      [
        referralId,
        status,
        extra.acceptedAt ?? null,
        extra.closedAt ?? null,
        extra.outcome ?? null,
        extra.followUp ? JSON.stringify(extra.followUp) : null,
        extra.holdsPlace ?? null,
      ],
    );
  }

  /** Consent withdrawn: the assignment ends and the contact copy is deleted. */
  async withdraw(referralId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET status = 'consent-withdrawn', holds_place = false, sealed_contact = NULL,
              answer_due_at = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [referralId],
    );
  }

  /** Cancelled by the referring hospital before acceptance: the assignment ends and the contact copy is deleted. */
  async cancel(referralId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET status = 'cancelled', holds_place = false, sealed_contact = NULL,
              answer_due_at = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [referralId],
    );
  }

  /** This site will never be offered this referral again. */
  async exclude(
    referralId: string,
    siteId: string,
    reason: 'declined' | 'escalated',
    hop: number,
    at: Date,
    code?: string,
    text?: string,
  ): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.referral_exclusion (referral_id, site_id, reason, reason_code, reason_text, hop, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (referral_id, site_id) DO NOTHING`,
      [referralId, siteId, reason, code ?? null, text ?? null, hop, at],
    );
  }

  async exclusions(referralId: string): Promise<{ siteId: string; reason: string }[]> {
    const rows = await this.tx.manager.query<{ site_id: string; reason: string }[]>(
      `SELECT site_id, reason FROM ${this.s}.referral_exclusion WHERE referral_id = $1 ORDER BY hop`,
      [referralId],
    );
    return rows.map((r) => ({ siteId: r.site_id, reason: r.reason }));
  }

  async addServiceRecord(record: {
    id: string;
    referralId: string;
    siteId: string;
    kind: 'plan' | 'session' | 'assessment';
    occurredAt: string;
    details: object;
    recordedAt: Date;
  }): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.service_record (id, referral_id, site_id, kind, occurred_at, details, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
      [
        record.id,
        record.referralId,
        record.siteId,
        record.kind,
        record.occurredAt,
        JSON.stringify(record.details),
        record.recordedAt,
      ],
    );
  }

  /**
   * The subject's file: every service record of the referral, every site's, oldest first. Row-level security
   * shows a site all of them only while it holds the referral; the caller checks that first.
   */
  async serviceRecordsOf(referralId: string): Promise<ServiceRecordRow[]> {
    const rows = await this.tx.manager.query<
      {
        id: string;
        site_id: string;
        kind: ServiceRecordKind;
        occurred_at: Date;
        recorded_at: Date;
        details: object;
      }[]
    >(
      `SELECT id, site_id, kind, occurred_at, recorded_at, details FROM ${this.s}.service_record
        WHERE referral_id = $1 ORDER BY occurred_at, recorded_at, id`,
      [referralId],
    );
    return rows.map((r) => ({
      id: r.id,
      siteId: r.site_id,
      kind: r.kind,
      occurredAt: r.occurred_at,
      recordedAt: r.recorded_at,
      details: r.details,
    }));
  }

  /** Counts and latest dates of the file's sessions and assessments (no contents). */
  async fileTotals(referralId: string): Promise<FileTotals> {
    const [row] = await this.tx.manager.query<
      { sessions: number; last_session: Date | null; assessments: number; last_assessment: Date | null }[]
    >(
      `SELECT count(*) FILTER (WHERE kind = 'session')::int AS sessions,
              max(occurred_at) FILTER (WHERE kind = 'session') AS last_session,
              count(*) FILTER (WHERE kind = 'assessment')::int AS assessments,
              max(occurred_at) FILTER (WHERE kind = 'assessment') AS last_assessment
         FROM ${this.s}.service_record WHERE referral_id = $1`,
      [referralId],
    );
    return {
      sessionCount: row.sessions,
      lastSessionAt: row.last_session,
      assessmentCount: row.assessments,
      lastAssessmentAt: row.last_assessment,
    };
  }

  /** A plan set the next review date: the periodic-assessment timers start again for it. */
  async setReviewBy(referralId: string, reviewBy: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET review_by = $2, assessment_due_raised_at = NULL,
              assessment_overdue_raised_at = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [referralId, reviewBy],
    );
  }

  /** An assessment was recorded: the review date is met (the next plan sets the next one). */
  async clearReviewBy(referralId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET review_by = NULL, assessment_due_raised_at = NULL,
              assessment_overdue_raised_at = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [referralId],
    );
  }

  /**
   * Marks serving referrals whose review date is within `noticeMs` (and not yet passed) as told "due" and answers
   * them; each review date is answered once (rows another sweep holds are skipped).
   */
  async markAssessmentsDue(now: Date, noticeMs: number, limit: number): Promise<ReviewDue[]> {
    return this.markReviews(
      'assessment_due_raised_at',
      `review_by > $1 AND review_by <= $1 + $3 * interval '1 millisecond'`,
      [now, limit, noticeMs],
    );
  }

  /** Marks serving referrals whose review date has passed as told "overdue" and answers them; once each. */
  async markAssessmentsOverdue(now: Date, limit: number): Promise<ReviewDue[]> {
    return this.markReviews('assessment_overdue_raised_at', `review_by <= $1`, [now, limit]);
  }

  /** `values`: $1 now, $2 the batch limit, then whatever `when` uses. */
  private async markReviews(
    column: 'assessment_due_raised_at' | 'assessment_overdue_raised_at',
    when: string,
    values: unknown[],
  ): Promise<ReviewDue[]> {
    const [rows] = await this.tx.manager.query<
      [{ referral_id: string; site_id: string; review_by: Date }[], number]
    >(
      `UPDATE ${this.s}.referral r SET ${column} = $1, updated_at = now()
         FROM (SELECT referral_id FROM ${this.s}.referral
                WHERE status IN ('accepted', 'in-service') AND review_by IS NOT NULL AND ${column} IS NULL
                  AND ${when}
                ORDER BY review_by LIMIT $2 FOR UPDATE SKIP LOCKED) due
        WHERE r.referral_id = due.referral_id
       RETURNING r.referral_id, r.site_id, r.review_by`,
      values,
    );
    return rows.map((r) => ({ referralId: r.referral_id, siteId: r.site_id, reviewBy: r.review_by }));
  }

  /** The patient or guardian refused: no site holds it and routing stops (ops may place it later). */
  async markPatientRefused(referralId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET status = 'patient-refused', site_id = NULL, holds_place = false,
              needs_manual_placement = false, answer_due_at = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [referralId],
    );
  }

  async serviceRecordCounts(referralId: string): Promise<Record<string, number>> {
    const rows = await this.tx.manager.query<{ kind: string; n: number }[]>(
      `SELECT kind, count(*)::int AS n FROM ${this.s}.service_record WHERE referral_id = $1 GROUP BY kind`,
      [referralId],
    );
    return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
  }

  /** The colour grade a periodic assessment recomputed (分色动态管理). */
  async setColourGrade(referralId: string, colourGrade: ColourGrade): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET colour_grade = $2, updated_at = now() WHERE referral_id = $1`,
      [referralId, colourGrade],
    );
  }

  /** Moves the referral's residence (a transfer because the patient moved). */
  async setResidence(referralId: string, divisionCode: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET residence_division_code = $2, updated_at = now() WHERE referral_id = $1`,
      [referralId, divisionCode],
    );
  }

  /** Assignments whose answer window has passed (candidates for escalation). */
  async overdue(now: Date, limit: number): Promise<string[]> {
    const rows = await this.tx.manager.query<{ referral_id: string }[]>(
      `SELECT referral_id FROM ${this.s}.referral
        WHERE status = 'assigned' AND answer_due_at <= $1
        ORDER BY answer_due_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.referral_id);
  }
}
