import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { IsDivisionCode, IsOneOf, IsOrgId, IsReferralId, IsTimestamp } from '../validation';
import {
  APPLICATION_CHANNELS,
  APPLICATION_END_OUTCOMES,
  APPLICATION_END_REASONS,
  ApplicationEndOutcome,
  ApplicationEndReason,
  ApplicationChannel,
  CONSENT_PURPOSES,
  ConsentPurpose,
  SLA_STAGES,
  SlaStage,
} from '../vocabulary';

/** An application from a non-hospital channel was filed; it must be verified and registered in time. */
export class ReferralApplicationReceivedData {
  @IsReferralId()
  referralId: string;

  @IsReferralId()
  registrationId: string;

  /** Pseudonymous patient reference (never the ID number). */
  @IsReferralId()
  patientRef: string;

  @IsOneOf(APPLICATION_CHANNELS)
  channel: ApplicationChannel;

  /** The organisation that filed it (村/居委会, social organisation, enterprise, family portal). */
  @IsOrgId()
  organisationId: string;

  @IsDivisionCode()
  residenceDivisionCode: string;

  @IsTimestamp()
  receivedAt: string;

  /** Verify & register deadline (working days after receipt). */
  @IsTimestamp()
  registerDueAt: string;

  /** True when the person already had a registration: this application was linked to it. */
  @IsBoolean()
  linkedToExisting: boolean;
}

/** A statutory deadline passed without the step being done (ops-monitor counts these). */
export class ReferralSlaBreachedData {
  @IsReferralId()
  referralId: string;

  @IsOneOf(SLA_STAGES)
  stage: SlaStage;

  @IsTimestamp()
  dueAt: string;

  @IsTimestamp()
  breachedAt: string;

  /** The deadline in working days, as configured when it was set. */
  @IsInt()
  @Min(1)
  @Max(365)
  workingDays: number;
}

/** No valid consent arrived within the configured period: the application ends unrouted. */
export class ReferralRegistrationExpiredData {
  @IsReferralId()
  referralId: string;

  @IsReferralId()
  registrationId: string;

  @IsReferralId()
  patientRef: string;

  /** The purpose whose consent was missing. */
  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @IsTimestamp()
  awaitingConsentSince: string;

  @IsTimestamp()
  expiredAt: string;
}

/**
 * A hospital's application ended without a registration of its own (refused, or linked to the person's
 * existing registration). Published only for hospital applications (the hospital holds them); carries no
 * registration id, other referral or site.
 */
export class ReferralApplicationEndedData {
  @IsReferralId()
  referralId: string;

  @IsOneOf(APPLICATION_END_OUTCOMES)
  outcome: ApplicationEndOutcome;

  @IsOneOf(APPLICATION_END_REASONS)
  reasonCode: ApplicationEndReason;

  @IsTimestamp()
  endedAt: string;
}
