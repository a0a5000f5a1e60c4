import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsDivisionCode, IsOneOf, IsOrgId, IsReferralId, IsTimestamp } from '../validation';

/**
 * The steps of a referral its referring hospital sees on its timeline (hospital-intake), in order of recording.
 * Registration side: discharged, registered, application-ended, consent-withdrawn, cancelled; site side:
 * assigned, accepted, declined, escalated, in-service (the first service record), transferred, closed; green
 * channel: relapse-reported.
 */
export const REFERRAL_STEPS = [
  'discharged',
  'registered',
  'application-ended',
  'consent-withdrawn',
  'cancelled',
  'assigned',
  'accepted',
  'declined',
  'escalated',
  'in-service',
  'transferred',
  'closed',
  'relapse-reported',
  'readmitted',
  'registration-expired',
] as const;
export type ReferralStep = (typeof REFERRAL_STEPS)[number];

/**
 * Per-hospital notice on `hospital.<hospitalId>.referral.step` (and the hospital's signed webhook): one step of
 * one of its own referrals, as on its timeline. Ids, codes and site names only: no PII, no site-internal notes.
 */
export class HospitalReferralStepData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  hospitalId: string;

  /** Position of the step on the referral's timeline (1, 2, …): a receiver orders and de-duplicates by it. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  sequence: number;

  @IsOneOf(REFERRAL_STEPS)
  step: ReferralStep;

  @IsTimestamp()
  occurredAt: string;

  /** The site concerned (assigned, accepted, declined, escalated, in-service, transferred to, closed). */
  @IsOptional()
  @IsOrgId()
  siteId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  siteName?: string;

  @IsOptional()
  @IsDivisionCode()
  siteCountyCode?: string;

  /** The coded reason or outcome of the step (decline reason, closure outcome, cancellation reason…). */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  code?: string;
}
