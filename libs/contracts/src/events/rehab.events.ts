import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsDivisionCode, IsOneOf, IsOrgId, IsReferralId, IsRiskLevel, IsTimestamp } from '../validation';
import { CONDITION_STATUSES, ConditionStatus, REHAB_SERVICES, RehabService } from '../vocabulary';

/** What a site recorded while serving a referral (rehab-site). */
export const SERVICE_RECORD_KINDS = ['plan', 'session', 'assessment'] as const;
export type ServiceRecordKind = (typeof SERVICE_RECORD_KINDS)[number];

/** A rehab plan, a service session or a periodic assessment was recorded (no staff names, no notes). */
export class ReferralServiceRecordedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsOneOf(SERVICE_RECORD_KINDS)
  kind: ServiceRecordKind;

  /** When it happened (session date, assessment date, plan start). */
  @IsTimestamp()
  occurredAt: string;

  /** Session: the service given. */
  @IsOptional()
  @IsOneOf(REHAB_SERVICES)
  serviceType?: RehabService;

  /** Session: minutes. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  durationMinutes?: number;

  /** Assessment: the risk level found. */
  @IsOptional()
  @IsRiskLevel()
  riskLevel?: number;

  /** Assessment: the condition found. */
  @IsOptional()
  @IsOneOf(CONDITION_STATUSES)
  conditionStatus?: ConditionStatus;

  @IsTimestamp()
  recordedAt: string;
}

/** The patient moved: the referral goes from one site to another (which must accept it). */
export class ReferralTransferredData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  fromSiteId: string;

  @IsOrgId()
  toSiteId: string;

  @IsOptional()
  @IsDivisionCode()
  newResidenceDivisionCode?: string;

  @IsTimestamp()
  transferredAt: string;
}

/**
 * The serving site's periodic assessment (the plan's `reviewBy`) falls due soon (`…-due`, configured days
 * before) or has passed without an assessment recorded since the plan (`…-overdue`). Each is raised once per
 * review date; recording an assessment clears both.
 */
export class ReferralPeriodicAssessmentDueData {
  @IsReferralId()
  referralId: string;

  /** The site holding the referral (the one that must assess). */
  @IsOrgId()
  siteId: string;

  /** The plan's review date. */
  @IsTimestamp()
  reviewBy: string;

  @IsTimestamp()
  raisedAt: string;
}

/** The review date passed with no assessment recorded (same fields as the due notice). */
export class ReferralPeriodicAssessmentOverdueData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsTimestamp()
  reviewBy: string;

  @IsTimestamp()
  raisedAt: string;
}

/** Stages of the subject's file as the patient's registration channel sees them. */
export const FILE_STAGES = [
  'assigned',
  'accepted',
  'in-service',
  'green-channel',
  'on-hold',
  'closed',
] as const;
export type FileStage = (typeof FILE_STAGES)[number];

/**
 * What the patient's registration channel may know of the subject's file (no clinical notes, no staff, no
 * goals): the current holder, the stage, and counts and dates of sessions and assessments. Sent whenever the file
 * changes (a record, an acceptance, a transfer); the newest `updatedAt` wins.
 */
export class ReferralFileSummarisedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsOneOf(FILE_STAGES)
  stage: FileStage;

  @IsInt()
  @Min(0)
  sessionCount: number;

  @IsOptional()
  @IsTimestamp()
  lastSessionAt?: string;

  @IsInt()
  @Min(0)
  assessmentCount: number;

  @IsOptional()
  @IsTimestamp()
  lastAssessmentAt?: string;

  /** When the next periodic assessment is due (the latest plan's review date). */
  @IsOptional()
  @IsTimestamp()
  nextAssessmentBy?: string;

  @IsTimestamp()
  updatedAt: string;
}
