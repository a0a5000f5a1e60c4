import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import {
  IsDivisionCode,
  IsListOf,
  IsOneOf,
  IsOrgId,
  IsReferralId,
  IsRiskLevel,
  IsTimestamp,
} from '../validation';
import { COLOUR_GRADES, ColourGrade, REHAB_SERVICES, RehabService } from '../vocabulary';

/**
 * Per-site notices (stream SITE, subject `site.<siteId>.referral.*`): what a site on the bus needs to know to
 * fetch the referral over HTTPS. Never carries the contact or other PII.
 */
export class SiteReferralAssignedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsInt()
  @Min(1)
  @Max(100)
  hop: number;

  @IsListOf(REHAB_SERVICES)
  needs: RehabService[];

  @IsRiskLevel()
  riskLevel: number;

  @IsOneOf(COLOUR_GRADES)
  colourGrade: ColourGrade;

  @IsTimestamp()
  assignedAt: string;

  @IsTimestamp()
  answerDueAt: string;

  @IsBoolean()
  needsManualPlacement: boolean;
}

export const SITE_REVOCATION_REASONS = [
  'escalated',
  'consent-withdrawn',
  'transferred',
  // The referring hospital cancelled the referral before the site accepted it.
  'cancelled',
  // An ops admin placed the referral at another site (it was waiting at the county centre for manual placement).
  'placed-manually',
] as const;
export type SiteRevocationReason = (typeof SITE_REVOCATION_REASONS)[number];

/** The site no longer holds the referral (its access ends now). */
export class SiteReferralRevokedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsOneOf(SITE_REVOCATION_REASONS)
  reason: SiteRevocationReason;

  @IsTimestamp()
  revokedAt: string;
}

/**
 * To the county centre of the referral's county (on its own `site.<centreId>.referral.escalated` and webhook): a
 * site in its county let a referral's answer window pass; the referral was re-routed.
 */
export class SiteReferralEscalatedData {
  @IsReferralId()
  referralId: string;

  /** The county centre told (the recipient). */
  @IsOrgId()
  siteId: string;

  /** The site that did not answer. */
  @IsOrgId()
  escalatedSiteId: string;

  /** The county (6-digit code) of the patient's residence. */
  @IsDivisionCode()
  countyCode: string;

  @IsInt()
  @Min(1)
  @Max(100)
  hop: number;

  @IsTimestamp()
  answerDueAt: string;

  @IsTimestamp()
  escalatedAt: string;
}
