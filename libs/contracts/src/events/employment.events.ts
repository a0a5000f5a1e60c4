import { ArrayMinSize, IsBoolean, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsDivisionCode, IsListOf, IsOneOf, IsOrgId, IsReferralId, IsTimestamp } from '../validation';
import {
  EMPLOYMENT_DECLINE_REASONS,
  EMPLOYMENT_END_REASONS,
  EMPLOYMENT_PAUSE_CAUSES,
  EMPLOYMENT_PROGRAMMES,
  EMPLOYMENT_STAGES,
  EMPLOYMENT_UNPLACED_REASONS,
  EmploymentDeclineReason,
  EmploymentEndReason,
  EmploymentPauseCause,
  EmploymentProgramme,
  EmploymentStage,
  EmploymentUnplacedReason,
  PLACEMENT_TYPES,
  PlacementType,
  RETENTION_CHECK_MONTHS,
  RetentionCheckMonth,
} from '../vocabulary';

/*
 * Employment events carry no clinical data: no diagnosis, risk level, colour grade or hospital. A provider
 * learns that a site confirmed the person ready, where they live and what they want to do; nothing more.
 */

/** A site confirmed the patient is stable, willing and able to work (employment consent checked). */
export class EmploymentReadinessConfirmedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  /** Where the person lives: employment providers are matched by the divisions they serve. */
  @IsDivisionCode()
  residenceDivisionCode: string;

  /** Programmes the person wants (a provider offering one of them is chosen). */
  @IsListOf(EMPLOYMENT_PROGRAMMES)
  @ArrayMinSize(1)
  programmes: EmploymentProgramme[];

  @IsTimestamp()
  confirmedAt: string;
}

/** Routed to an employment provider, which must accept or decline it. */
export class EmploymentReferralReferredData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsString()
  @Length(1, 200)
  providerName: string;

  @IsInt()
  @Min(1)
  @Max(100)
  hop: number;

  @IsTimestamp()
  referredAt: string;
}

/** No provider can take it (none serves the area with a wanted programme and a free place, or the hop limit). */
export class EmploymentReferralUnplacedData {
  @IsReferralId()
  referralId: string;

  @IsOneOf(EMPLOYMENT_UNPLACED_REASONS)
  reason: EmploymentUnplacedReason;

  @IsInt()
  @Min(1)
  @Max(100)
  hop: number;

  @IsTimestamp()
  unplacedAt: string;
}

export class EmploymentReferralAcceptedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsTimestamp()
  acceptedAt: string;
}

export class EmploymentReferralDeclinedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsOneOf(EMPLOYMENT_DECLINE_REASONS)
  reasonCode: EmploymentDeclineReason;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  reasonText?: string;

  @IsTimestamp()
  declinedAt: string;
}

export class EmploymentTrainingStartedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsOneOf(EMPLOYMENT_PROGRAMMES)
  programme: EmploymentProgramme;

  @IsTimestamp()
  startedAt: string;
}

/** In a job: sheltered (庇护性), supported (辅助性) or competitive; retention checks are due from startDate. */
export class EmploymentPlacedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsOneOf(PLACEMENT_TYPES)
  placementType: PlacementType;

  @IsString()
  @Length(1, 200)
  employerName: string;

  /** The job's first day (YYYY-MM-DD). */
  @IsString()
  @Length(10, 10)
  startDate: string;

  @IsTimestamp()
  placedAt: string;
}

export class EmploymentRetentionCheckedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsOneOf(RETENTION_CHECK_MONTHS)
  month: RetentionCheckMonth;

  /** Still in the job at the check. */
  @IsBoolean()
  retained: boolean;

  @IsTimestamp()
  checkedAt: string;
}

/** A retention check was not recorded within its grace period. */
export class EmploymentRetentionOverdueData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsOneOf(RETENTION_CHECK_MONTHS)
  month: RetentionCheckMonth;

  @IsTimestamp()
  dueAt: string;

  @IsTimestamp()
  overdueAt: string;
}

/** A relapse or readmission: the employment referral waits until the site confirms readiness again. */
export class EmploymentReferralPausedData {
  @IsReferralId()
  referralId: string;

  @IsOptional()
  @IsOrgId()
  providerId?: string;

  /** Absent in events from before readmissions paused too (a relapse). */
  @IsOptional()
  @IsOneOf(EMPLOYMENT_PAUSE_CAUSES)
  cause?: EmploymentPauseCause;

  @IsTimestamp()
  pausedAt: string;
}

export class EmploymentReferralResumedData {
  @IsReferralId()
  referralId: string;

  @IsOptional()
  @IsOrgId()
  providerId?: string;

  @IsTimestamp()
  resumedAt: string;
}

export class EmploymentReferralEndedData {
  @IsReferralId()
  referralId: string;

  @IsOptional()
  @IsOrgId()
  providerId?: string;

  @IsOneOf(EMPLOYMENT_END_REASONS)
  reason: EmploymentEndReason;

  @IsTimestamp()
  endedAt: string;
}

/**
 * One summary per employment step for the site that confirmed readiness and the referring hospital: which
 * stage, the provider's name, the kind of job, a retention check's month and answer, an end reason. Ids and
 * stages only: no clinical data, no employer, no PII.
 */
export class EmploymentStageChangedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsOneOf(EMPLOYMENT_STAGES)
  stage: EmploymentStage;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  providerName?: string;

  @IsOptional()
  @IsOneOf(PLACEMENT_TYPES)
  placementType?: PlacementType;

  @IsOptional()
  @IsOneOf(RETENTION_CHECK_MONTHS)
  retentionMonth?: RetentionCheckMonth;

  @IsOptional()
  @IsBoolean()
  retained?: boolean;

  @IsOptional()
  @IsOneOf(EMPLOYMENT_END_REASONS)
  endReason?: EmploymentEndReason;

  @IsOptional()
  @IsOneOf(EMPLOYMENT_PAUSE_CAUSES)
  pauseCause?: EmploymentPauseCause;

  @IsTimestamp()
  changedAt: string;
}

/**
 * Per-provider notices (stream PROVIDER, subject `provider.<providerId>.referral.*`): enough to fetch the
 * referral over HTTPS. No PII, no clinical data.
 */
export class ProviderReferralOfferedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsListOf(EMPLOYMENT_PROGRAMMES)
  programmes: EmploymentProgramme[];

  @IsInt()
  @Min(1)
  @Max(100)
  hop: number;

  @IsTimestamp()
  offeredAt: string;
}

export const PROVIDER_REVOCATION_REASONS = ['consent-withdrawn'] as const;
export type ProviderRevocationReason = (typeof PROVIDER_REVOCATION_REASONS)[number];

/** The provider no longer holds the referral and loses access to it. */
export class ProviderReferralRevokedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  providerId: string;

  @IsOneOf(PROVIDER_REVOCATION_REASONS)
  reason: ProviderRevocationReason;

  @IsTimestamp()
  revokedAt: string;
}
