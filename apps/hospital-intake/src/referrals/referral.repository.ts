import { Injectable } from '@nestjs/common';
import {
  ApplicationEndOutcome,
  ApplicationEndReason,
  ClosureOutcome,
  ColourGrade,
  EmploymentEndReason,
  EmploymentStage,
  EmploymentStageChangedData,
  PlacementType,
} from '@app/contracts';
import { TransactionHost } from '@app/persistence';

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
    | ApplicationEndOutcome;
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

  /** The referral as its own hospital sees it (undefined for another hospital's). */
  async findForHospital(hospitalId: string, referralId: string): Promise<ReferralRecord | undefined> {
    const rows = await this.tx.manager.query<Record<string, unknown>[]>(
      `SELECT r.id, r.encounter_id, r.channel, r.status, r.discharged_at, a.risk_level, a.colour_grade,
              a.eligible_for_community_rehab, r.registered_at, r.outcome, r.closed_at, r.green_reported_at, r.assigned_site_name,
              r.end_reason, r.ended_at, r.updated_at, r.assessment_due_at, r.assessment_reminded_at,
              r.employment_stage, r.employment_placement_type, r.employment_end_reason, r.employment_changed_at
         FROM ${this.tx.schema}.referral r LEFT JOIN ${this.tx.schema}.discharge_assessment a ON a.referral_id = r.id
        WHERE r.id = $1 AND r.hospital_id = $2`,
      [referralId, hospitalId],
    );
    const r = rows[0];
    return (
      r && {
        id: r.id as string,
        encounterId: r.encounter_id as string,
        channel: r.channel as string,
        status: r.status as ReferralRecord['status'],
        dischargedAt: r.discharged_at as Date,
        riskLevel: r.risk_level === null ? null : Number(r.risk_level),
        colourGrade: r.colour_grade as ColourGrade | null,
        eligibleForCommunityRehab: r.eligible_for_community_rehab as boolean | null,
        registeredAt: r.registered_at as Date | null,
        outcome: r.outcome as ClosureOutcome | null,
        closedAt: r.closed_at as Date | null,
        greenReportedAt: r.green_reported_at as Date | null,
        assignedSiteName: r.assigned_site_name as string | null,
        endReason: r.end_reason as ApplicationEndReason | null,
        endedAt: r.ended_at as Date | null,
        updatedAt: r.updated_at as Date,
        assessmentDueAt: r.assessment_due_at as Date | null,
        assessmentRemindedAt: r.assessment_reminded_at as Date | null,
        employmentStage: r.employment_stage as EmploymentStage | null,
        employmentPlacementType: r.employment_placement_type as PlacementType | null,
        employmentEndReason: r.employment_end_reason as EmploymentEndReason | null,
        employmentChangedAt: r.employment_changed_at as Date | null,
      }
    );
  }

  /** assessed → registered; a no-op for referrals that are not ours or already further on. */
  async markRegistered(referralId: string, registrationId: string, registeredAt: string): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.tx.schema}.referral SET status = 'registered', registration_id = $2, registered_at = $3, updated_at = now()
        WHERE id = $1 AND status = 'assessed'`,
      [referralId, registrationId, registeredAt],
    );
    return count === 1;
  }

  /** The latest assignment wins (a re-route assigns again); an older one arriving late changes nothing. */
  async markAssigned(referralId: string, siteName: string, assignedAt: string): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.tx.schema}.referral SET assigned_site_name = $2, assigned_at = $3, updated_at = now()
        WHERE id = $1 AND status <> 'closed' AND (assigned_at IS NULL OR assigned_at <= $3)`,
      [referralId, siteName, assignedAt],
    );
    return count === 1;
  }

  /**
   * Consent withdrawn (for a routing purpose): the referral ends here too and the consents it carried are
   * dropped; the sealed patient stays as the hospital's own record of the discharge.
   */
  async markConsentWithdrawn(referralId: string): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.tx.schema}.referral SET status = 'consent-withdrawn', consents = '[]'::jsonb, updated_at = now()
        WHERE id = $1 AND status NOT IN ('closed', 'consent-withdrawn')`,
      [referralId],
    );
    return count === 1;
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
  ): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.tx.schema}.referral SET status = $2, end_reason = $3, ended_at = $4, updated_at = now()
        WHERE id = $1 AND status = 'assessed'`,
      [referralId, outcome, reason, endedAt],
    );
    return count === 1;
  }

  async markClosed(referralId: string, outcome: ClosureOutcome, closedAt: string): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.tx.schema}.referral SET status = 'closed', outcome = $2, closed_at = $3, updated_at = now()
        WHERE id = $1 AND status <> 'closed'`,
      [referralId, outcome, closedAt],
    );
    return count === 1;
  }

  /**
   * The latest employment step of a hospital's referral (an older step arriving late changes nothing; the kind
   * of job stays from the placement). Answers whether it changed the referral (false: not ours, or older).
   */
  async markEmploymentStage(data: EmploymentStageChangedData): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.tx.schema}.referral
          SET employment_stage = $2, employment_placement_type = coalesce($3, employment_placement_type),
              employment_end_reason = $4, employment_changed_at = $5, updated_at = now()
        WHERE id = $1 AND (employment_changed_at IS NULL OR employment_changed_at <= $5)`,
      [data.referralId, data.stage, data.placementType ?? null, data.endReason ?? null, data.changedAt],
    );
    return count === 1;
  }
}
