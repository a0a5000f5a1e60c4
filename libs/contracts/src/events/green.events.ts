import { IsBoolean, IsInt, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import {
  IsDivisionCode,
  IsOneOf,
  IsOrgId,
  IsReferralId,
  IsRiskLevel,
  IsTimestamp,
  Optional,
} from '../validation';
import {
  GREEN_DECLINE_REASONS,
  GREEN_ESCALATION_CAUSES,
  GREEN_ROUTES,
  GREEN_TRIGGERS,
  GreenDeclineReason,
  GreenEscalationCause,
  GreenRoute,
  GreenTrigger,
} from '../vocabulary';

/** A site observed a relapse: the patient goes back to hospital through the green channel. */
export class GreenRelapseReportedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsRiskLevel()
  observedRiskLevel: number;

  @IsTimestamp()
  reportedAt: string;

  /**
   * The county (6 digits) of the patient's residence, so a patient who did not come from a hospital reaches
   * the county's designated psychiatric hospital. Absent in events from before the green-channel lane.
   */
  @Optional()
  @IsDivisionCode()
  countyDivisionCode?: string;

  /** What opened the case: a relapse report (default) or a periodic assessment that re-graded the patient. */
  @Optional()
  @IsOneOf(GREEN_TRIGGERS)
  trigger?: GreenTrigger;
}

/** Fields every step of one green case carries. */
class GreenCaseStep {
  @IsReferralId()
  referralId: string;

  @IsUUID()
  caseId: string;

  @IsOrgId()
  hospitalId: string;
}

/** The case was offered to a hospital, which must acknowledge before answerDueAt. */
export class GreenNotifiedData extends GreenCaseStep {
  /** 1 for the first hospital, +1 for each hospital the case moved on to. */
  @IsInt()
  @Min(1)
  @Max(20)
  step: number;

  @IsOneOf(GREEN_ROUTES)
  route: GreenRoute;

  @IsRiskLevel()
  riskLevel: number;

  /** Risk at or above the joint-management level: 政法/公安/卫健 liaison is to be involved. */
  @IsBoolean()
  jointManagement: boolean;

  @IsTimestamp()
  notifiedAt: string;

  @IsTimestamp()
  answerDueAt: string;
}

/** The hospital acknowledged the case (who, as the hospital named its staff member, and when). */
export class GreenAcknowledgedData extends GreenCaseStep {
  @IsString()
  @Length(1, 100)
  acknowledgedBy: string;

  @IsTimestamp()
  acknowledgedAt: string;
}

/** The patient is back in hospital: the community referral is put on hold, employment pauses. */
export class GreenReadmittedData extends GreenCaseStep {
  @IsTimestamp()
  readmittedAt: string;
}

/** The hospital declined with a coded reason; the case moves on at once. */
export class GreenDeclinedData extends GreenCaseStep {
  @IsOneOf(GREEN_DECLINE_REASONS)
  reason: GreenDeclineReason;

  @IsTimestamp()
  declinedAt: string;
}

/**
 * The case left a hospital (no answer in time, or declined): on to the next designated hospital of the county,
 * then the prefecture's; `toHospitalId` absent means nobody is left and ops were alerted.
 */
export class GreenEscalatedData extends GreenCaseStep {
  @IsOneOf(GREEN_ESCALATION_CAUSES)
  cause: GreenEscalationCause;

  @Optional()
  @IsOrgId()
  toHospitalId?: string;

  @IsTimestamp()
  escalatedAt: string;
}

/**
 * Per-hospital notice on hospital.<hospitalId>.green.offered: a green case waits for this hospital's answer
 * (no PII; the hospital fetches the case over HTTPS).
 */
export class HospitalGreenOfferedData extends GreenCaseStep {
  @IsRiskLevel()
  riskLevel: number;

  @IsOneOf(GREEN_ROUTES)
  route: GreenRoute;

  @IsBoolean()
  jointManagement: boolean;

  @IsTimestamp()
  offeredAt: string;

  @IsTimestamp()
  answerDueAt: string;
}

/** Per-hospital notice on hospital.<hospitalId>.green.withdrawn: the case no longer waits for this hospital. */
export class HospitalGreenWithdrawnData extends GreenCaseStep {
  @IsOneOf(GREEN_ESCALATION_CAUSES)
  cause: GreenEscalationCause;

  @IsTimestamp()
  withdrawnAt: string;
}
