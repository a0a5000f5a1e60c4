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
