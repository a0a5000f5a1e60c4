import { Injectable } from '@nestjs/common';
import {
  ApplicationEndOutcome,
  ApplicationEndReason,
  CancellationReason,
  ClosureOutcome,
  ColourGrade,
  EmploymentEndReason,
  EmploymentStage,
  EmploymentStageChangedData,
  PlacementType,
} from '@app/contracts';
import { KeysetPosition } from '@app/core';
import { TransactionHost } from '@app/persistence';
import { hasWebhookSql, LockedReferralHolder } from '../timeline/timeline.repository';
import { ReferralStage } from './dto/referral-view.dto';

/** Filters of the hospital's referral list (all optional, combined with AND). */
export interface ReferralFilter {
  status?: ReferralRecord['status'];
  stage?: ReferralStage;
  /** Discharged at or after. */
  from?: Date;
  /** Discharged before. */
  to?: Date;
  /** Currently (or last) assigned to this site. */
  siteId?: string;
}

/** Where a referral is now, in one SQL expression so that the list filters on exactly what the views show. */
const STAGE_SQL = `CASE
    WHEN r.status IN ('consent-withdrawn', 'refused', 'linked-to-existing', 'closed', 'cancelled',
                      'registration-expired') THEN r.status
    WHEN r.green_reported_at IS NOT NULL THEN 'green-channel'
    WHEN r.site_status IN ('accepted', 'in-service') THEN r.site_status
    WHEN r.status = 'registered' THEN 'routing'
    WHEN r.status = 'awaiting-assessment' THEN 'awaiting-assessment'
    WHEN a.eligible_for_community_rehab THEN 'awaiting-consent'
    ELSE 'hospital-follow-up'
  END`;

const REFERRAL_COLUMNS = `r.id, r.encounter_id, r.channel, r.status, r.discharged_at, a.risk_level, a.colour_grade,
  a.eligible_for_community_rehab, r.registered_at, r.outcome, r.closed_at, r.green_reported_at, r.assigned_site_name,
  r.assigned_site_id, r.assigned_site_county, r.site_status, r.cancel_reason, r.cancelled_at,
  r.end_reason, r.ended_at, r.updated_at, r.assessment_due_at, r.assessment_reminded_at,
  r.employment_stage, r.employment_placement_type, r.employment_end_reason, r.employment_changed_at,
  ${STAGE_SQL} AS stage`;

function toRecord(r: Record<string, unknown>): ReferralRecord {
  return {
    id: r.id as string,
    encounterId: r.encounter_id as string,
    channel: r.channel as string,
    status: r.status as ReferralRecord['status'],
    stage: r.stage as ReferralStage,
    dischargedAt: r.discharged_at as Date,
    riskLevel: r.risk_level === null ? null : Number(r.risk_level),
    colourGrade: r.colour_grade as ColourGrade | null,
    eligibleForCommunityRehab: r.eligible_for_community_rehab as boolean | null,
    registeredAt: r.registered_at as Date | null,
    outcome: r.outcome as ClosureOutcome | null,
    closedAt: r.closed_at as Date | null,
    greenReportedAt: r.green_reported_at as Date | null,
    assignedSiteName: r.assigned_site_name as string | null,
    assignedSiteId: r.assigned_site_id as string | null,
    assignedSiteCounty: r.assigned_site_county as string | null,
    siteStatus: r.site_status as ReferralRecord['siteStatus'],
    cancelReason: r.cancel_reason as CancellationReason | null,
    cancelledAt: r.cancelled_at as Date | null,
    endReason: r.end_reason as ApplicationEndReason | null,
    endedAt: r.ended_at as Date | null,
    updatedAt: r.updated_at as Date,
    assessmentDueAt: r.assessment_due_at as Date | null,
    assessmentRemindedAt: r.assessment_reminded_at as Date | null,
    employmentStage: r.employment_stage as EmploymentStage | null,
    employmentPlacementType: r.employment_placement_type as PlacementType | null,
    employmentEndReason: r.employment_end_reason as EmploymentEndReason | null,
    employmentChangedAt: r.employment_changed_at as Date | null,
  };
}

export interface ReferralRecord {
  id: string;
  encounterId: string;
  channel: string;
  status:
    | 'awaiting-assessment'
    | 'assessed'
    | 'registered'
    | 'closed'
    | 'consent-withdrawn'
    | 'cancelled'
    | 'registration-expired'
    | ApplicationEndOutcome;
  stage: ReferralStage;
  dischargedAt: Date;
  /** null while the referral awaits its discharge assessment. */
  riskLevel: number | null;
  colourGrade: ColourGrade | null;
  eligibleForCommunityRehab: boolean | null;
  registeredAt: Date | null;
  outcome: ClosureOutcome | null;
  closedAt: Date | null;
  greenReportedAt: Date | null;
  assignedSiteName: string | null;
  assignedSiteId: string | null;
  assignedSiteCounty: string | null;
  siteStatus: 'assigned' | 'accepted' | 'in-service' | null;
  cancelReason: CancellationReason | null;
  cancelledAt: Date | null;
  endReason: ApplicationEndReason | null;
  endedAt: Date | null;
  updatedAt: Date;
  assessmentDueAt: Date | null;
  assessmentRemindedAt: Date | null;
  employmentStage: EmploymentStage | null;
  employmentPlacementType: PlacementType | null;
  employmentEndReason: EmploymentEndReason | null;
  employmentChangedAt: Date | null;
}

@Injectable()
export class ReferralRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The referral as its own hospital sees it (undefined for another hospital's); `lock` for a change. */
  async findForHospital(
    hospitalId: string,
    referralId: string,
    lock = false,
  ): Promise<ReferralRecord | undefined> {
    const rows = await this.tx.manager.query<Record<string, unknown>[]>(
      `SELECT ${REFERRAL_COLUMNS}
         FROM ${this.tx.schema}.referral r LEFT JOIN ${this.tx.schema}.discharge_assessment a ON a.referral_id = r.id
        WHERE r.id = $1 AND r.hospital_id = $2${lock ? ' FOR UPDATE OF r' : ''}`,
      [referralId, hospitalId],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** One page of the hospital's own referrals, newest discharge first, after a keyset position. */
  async pageForHospital(
    hospitalId: string,
    filter: ReferralFilter,
    after: KeysetPosition | undefined,
    limit: number,
  ): Promise<ReferralRecord[]> {
    const rows = await this.tx.manager.query<Record<string, unknown>[]>(
      `SELECT * FROM (
         SELECT ${REFERRAL_COLUMNS}
           FROM ${this.tx.schema}.referral r LEFT JOIN ${this.tx.schema}.discharge_assessment a ON a.referral_id = r.id
          WHERE r.hospital_id = $1
            AND ($2::text IS NULL OR r.status = $2)
            AND ($3::timestamptz IS NULL OR r.discharged_at >= $3)
            AND ($4::timestamptz IS NULL OR r.discharged_at < $4)
            AND ($5::text IS NULL OR r.assigned_site_id = $5)
            AND ($6::timestamptz IS NULL OR (r.discharged_at, r.id) < ($6::timestamptz, $7::uuid))
       ) page
       WHERE $8::text IS NULL OR page.stage = $8
       ORDER BY page.discharged_at DESC, page.id DESC
       LIMIT $9`,
      [
        hospitalId,
        filter.status ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.siteId ?? null,
        after?.at ?? null,
        after?.id ?? null,
        filter.stage ?? null,
        limit,
      ],
    );
    return rows.map(toRecord);
  }

  /** assessed → registered; a no-op for referrals that are not ours or already further on. */
  async markRegistered(
    referralId: string,
    registrationId: string,
    registeredAt: string,
  ): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET status = 'registered', registration_id = $2, registered_at = $3, updated_at = now()
        WHERE id = $1 AND status = 'assessed'`,
      [referralId, registrationId, registeredAt],
    );
  }

  /** The latest assignment wins (a re-route assigns again); an older one arriving late changes nothing. */
  async markAssigned(
    referralId: string,
    site: { id: string; name: string; countyCode: string | null },
    assignedAt: string,
  ): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET assigned_site_name = $2, assigned_site_id = $3, assigned_site_county = $4,
              site_status = 'assigned', assigned_at = $5, updated_at = now()
        WHERE id = $1 AND status NOT IN ('closed', 'cancelled', 'consent-withdrawn')
          AND (assigned_at IS NULL OR assigned_at <= $5)`,
      [referralId, site.name, site.id, site.countyCode, assignedAt],
    );
  }

  /** The assigned site accepted (a stale acceptance by a site no longer assigned changes nothing). */
  async markAccepted(referralId: string, siteId: string): Promise<LockedReferralHolder | undefined> {
    return this.siteStep(referralId, siteId, `site_status = 'assigned'`, `'accepted'`);
  }

  /** The assigned site declined or let the answer window pass: no site holds it until the next assignment. */
  async markAnswerMissed(referralId: string, siteId: string): Promise<LockedReferralHolder | undefined> {
    return this.siteStep(referralId, siteId, `site_status = 'assigned'`, 'NULL');
  }

  /** The first service record of the accepted referral: in service. Later ones change nothing. */
  async markInService(referralId: string, siteId: string): Promise<LockedReferralHolder | undefined> {
    return this.siteStep(referralId, siteId, `site_status = 'accepted'`, `'in-service'`);
  }

  /** The referral moved to another site (which must accept it); it stays accepted/in service as a referral. */
  async markTransferred(referralId: string, toSiteId: string): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET assigned_site_id = $2, assigned_site_name = NULL, assigned_site_county = NULL,
              updated_at = now()
        WHERE id = $1 AND status NOT IN ('closed', 'cancelled', 'consent-withdrawn')`,
      [referralId, toSiteId],
    );
  }

  /** Cancelled by its hospital (the caller checked it may be, with the row locked). */
  async markCancelled(referralId: string, reason: CancellationReason, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.tx.schema}.referral SET status = 'cancelled', cancel_reason = $2, cancelled_at = $3, updated_at = now()
        WHERE id = $1`,
      [referralId, reason, at],
    );
  }

  private siteStep(
    referralId: string,
    siteId: string,
    when: string,
    to: string,
  ): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET site_status = ${to}, updated_at = now()
        WHERE id = $1 AND assigned_site_id = $2 AND ${when}`,
      [referralId, siteId],
    );
  }

  /**
   * Runs one conditional `UPDATE … referral AS r` of a lifecycle step: when it changed the referral (its row is
   * then locked until commit), answers the referral's hospital for the timeline step, else undefined.
   */
  private async change(update: string, params: unknown[]): Promise<LockedReferralHolder | undefined> {
    const [rows] = await this.tx.manager.query<[{ hospital_id: string; has_webhook: boolean }[], number]>(
      `${update}
       RETURNING r.hospital_id, ${hasWebhookSql(this.tx.schema, 'r')} AS has_webhook`,
      params,
    );
    const row = rows[0];
    return row && { hospitalId: row.hospital_id, hasWebhook: row.has_webhook === true };
  }

  /**
   * Consent withdrawn (for a routing purpose): the referral ends here too and the consents it carried are
   * dropped; the sealed patient stays as the hospital's own record of the discharge.
   */
  async markConsentWithdrawn(referralId: string): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET status = 'consent-withdrawn', consents = '[]'::jsonb, updated_at = now()
        WHERE id = $1 AND status NOT IN ('closed', 'consent-withdrawn', 'cancelled')`,
      [referralId],
    );
  }

  /**
   * assessed → refused / linked-to-existing (referral.application-ended): the referral ends here without a
   * registration of its own; a no-op for referrals that are not ours or already further on.
   */
  async markApplicationEnded(
    referralId: string,
    outcome: ApplicationEndOutcome,
    reason: ApplicationEndReason,
    endedAt: string,
  ): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET status = $2, end_reason = $3, ended_at = $4, updated_at = now()
        WHERE id = $1 AND status = 'assessed'`,
      [referralId, outcome, reason, endedAt],
    );
  }

  /**
   * referral.registration-expired: registration ended the application without the consent it waited for (the
   * purpose is on the timeline step): a consent sent now needs a new discharge.
   */
  async markRegistrationExpired(
    referralId: string,
    expiredAt: string,
  ): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET status = 'registration-expired', ended_at = $2, updated_at = now()
        WHERE id = $1 AND status = 'assessed'`,
      [referralId, expiredAt],
    );
  }

  async markClosed(
    referralId: string,
    outcome: ClosureOutcome,
    closedAt: string,
  ): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r SET status = 'closed', outcome = $2, closed_at = $3, updated_at = now()
        WHERE id = $1 AND status NOT IN ('closed', 'cancelled')`,
      [referralId, outcome, closedAt],
    );
  }

  /**
   * The latest employment step of a hospital's referral (an older step arriving late changes nothing; the kind
   * of job stays from the placement). Answers its hospital when it changed the referral (undefined: not ours, or older).
   */
  async markEmploymentStage(data: EmploymentStageChangedData): Promise<LockedReferralHolder | undefined> {
    return this.change(
      `UPDATE ${this.tx.schema}.referral AS r
          SET employment_stage = $2, employment_placement_type = coalesce($3, employment_placement_type),
              employment_end_reason = $4, employment_changed_at = $5, updated_at = now()
        WHERE id = $1 AND (employment_changed_at IS NULL OR employment_changed_at <= $5)`,
      [data.referralId, data.stage, data.placementType ?? null, data.endReason ?? null, data.changedAt],
    );
  }
}
