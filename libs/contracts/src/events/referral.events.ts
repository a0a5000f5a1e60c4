import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  IsDivisionCode,
  IsListOf,
  IsNested,
  IsNestedArray,
  IsOneOf,
  IsOrgId,
  IsPhoneNumber,
  IsReferralId,
  IsRiskLevel,
  IsTimestamp,
} from '../validation';
import {
  CLOSURE_OUTCOMES,
  ClosureOutcome,
  COLOUR_GRADES,
  ColourGrade,
  CONDITION_STATUSES,
  ConditionStatus,
  CANCELLATION_REASONS,
  CancellationReason,
  CONSENT_PURPOSES,
  ConsentPurpose,
  DECLINE_REASONS,
  DeclineReason,
  DIVISION_CODE_PATTERN,
  REHAB_SERVICES,
  RehabService,
  SITE_LEVELS,
  SiteLevel,
} from '../vocabulary';
import { EncryptedFieldDto } from './encrypted-field.dto';
import { ConsentGrantDto } from './patient.dto';

/**
 * Event payloads (`data` of the CloudEvent). Only what downstream needs; identifying data travels
 * sealed (EncryptedFieldDto) to the one service allowed to open it.
 */

/** A hospital discharged a patient and asks for community rehabilitation. */
export class ReferralDischargedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  hospitalId: string;

  /** The hospital's encounter id; with hospitalId it is the discharge's idempotency key. */
  @IsString()
  @Length(1, 64)
  encounterId: string;

  @IsTimestamp()
  dischargedAt: string;

  /** Residence division (GB/T 2260 + township + committee), used for routing. */
  @IsDivisionCode()
  residenceDivisionCode: string;

  /** Patient identity and contact, sealed for the registration service. */
  @IsOptional()
  @IsNested(() => EncryptedFieldDto)
  sealedPatient?: EncryptedFieldDto;

  /**
   * Set when the hospital sent no usable discharge assessment: `referral.assessed` follows when it is
   * completed (by the deadline below), and nothing is routed before.
   */
  @IsOptional()
  @IsTimestamp()
  assessmentDueAt?: string;
}

/** The discharge assessment of a referral awaiting it was not completed by its working-day deadline. */
export class ReferralAssessmentOverdueData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  hospitalId: string;

  @IsTimestamp()
  dueAt: string;

  @IsTimestamp()
  overdueAt: string;

  /** The deadline in working days after discharge, as configured when it was set. */
  @IsInt()
  @Min(1)
  @Max(60)
  workingDays: number;
}

/**
 * The discharge assessment of a referral awaiting it is due soon: sent once per referral, a configured number of
 * working days before its deadline, so the hospital (or county centre) completes it before it is overdue.
 */
export class ReferralAssessmentReminderData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  hospitalId: string;

  @IsTimestamp()
  dueAt: string;

  @IsTimestamp()
  remindedAt: string;

  /** Working days before the deadline the reminder is sent at, as configured. */
  @IsInt()
  @Min(1)
  @Max(29)
  workingDaysBefore: number;
}

/** The hospital's discharge assessment and what it implies for routing. */
export class ReferralAssessedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  hospitalId: string;

  @IsRiskLevel()
  riskLevel: number;

  @IsOneOf(CONDITION_STATUSES)
  conditionStatus: ConditionStatus;

  @IsOneOf(COLOUR_GRADES)
  colourGrade: ColourGrade;

  /** False for risk 3–5 or an unstable condition: such patients are not routed to a community site. */
  @IsBoolean()
  eligibleForCommunityRehab: boolean;

  @IsListOf(REHAB_SERVICES)
  rehabNeeds: RehabService[];

  @IsBoolean()
  employmentInterest: boolean;

  @IsTimestamp()
  assessedAt: string;

  /**
   * When the patient was discharged (as in `referral.discharged`): hospital-intake rebuilds its own referral from
   * this event after a database restore. Absent from events published before it was added.
   */
  @IsOptional()
  @IsTimestamp()
  dischargedAt?: string;

  @IsString()
  @Length(1, 64)
  encounterId: string;

  @IsDivisionCode()
  residenceDivisionCode: string;

  /** PatientIdentityDto sealed for registration, bound to this referral (`referralSealContext('patient', …)`). */
  @IsNested(() => EncryptedFieldDto)
  sealedPatient: EncryptedFieldDto;

  /** Consents captured at the hospital, if any (registration checks them per purpose). */
  @IsNestedArray(() => ConsentGrantDto, 10)
  consents: ConsentGrantDto[];
}

/**
 * Consents the hospital captured after the discharge (e.g. signed the next day) and sent with the discharge again:
 * only those the referral did not have (a purpose not recorded, or a newer grant). registration records them for
 * the registration as it records those of `referral.assessed` and applies the consent gate again. No patient data.
 */
export class ReferralConsentsAddedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  hospitalId: string;

  /** The hospital's encounter id (with hospitalId, the discharge's idempotency key), as in `referral.assessed`. */
  @IsString()
  @Length(1, 64)
  encounterId: string;

  /** The consents added, as the hospital captured them (one or more). */
  @ArrayMinSize(1)
  @IsNestedArray(() => ConsentGrantDto, 10)
  consents: ConsentGrantDto[];

  /** When hospital-intake received them. */
  @IsTimestamp()
  addedAt: string;
}

/** A consent purpose registration holds a valid consent for, and until when (absent: no end). */
export class ValidConsentDto {
  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @IsOptional()
  @IsTimestamp()
  expiresAt?: string;
}

/** Registered with a valid consent for community rehab: ready to be routed. */
export class ReferralRegisteredData {
  @IsReferralId()
  referralId: string;

  @IsReferralId()
  registrationId: string;

  /** Pseudonymous patient reference (never the ID number). */
  @IsReferralId()
  patientRef: string;

  @IsDivisionCode()
  residenceDivisionCode: string;

  @IsListOf(REHAB_SERVICES)
  needs: RehabService[];

  @IsRiskLevel()
  riskLevel: number;

  @IsOneOf(COLOUR_GRADES)
  colourGrade: ColourGrade;

  @IsOptional()
  @IsOrgId()
  preferredSiteId?: string;

  @IsOptional()
  @IsOrgId()
  previousSiteId?: string;

  @IsTimestamp()
  registeredAt: string;

  /** SiteContactDto sealed for rehab-site, bound to this referral (`referralSealContext('siteContact', …)`). */
  @IsNested(() => EncryptedFieldDto)
  sealedContact: EncryptedFieldDto;

  /**
   * Every purpose the patient's consent was valid for at registration (registration decides validity: guardian,
   * expiry, withdrawal). Rehab-site gates employment readiness on `employment`. Absent from older producers:
   * read as no consent beyond community rehab.
   */
  @IsOptional()
  @IsNestedArray(() => ValidConsentDto, 3)
  validConsents?: ValidConsentDto[];
}

export class ReferralAssignedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  /** The site's name, for the referring hospital's view (no PII). */
  @IsString()
  @Length(1, 100)
  siteName: string;

  /** The site's public address from the directory, for the notice to the patient and guardian (no PII). */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  siteAddress?: string;

  /** The site's public phone from the directory, for the notice to the patient and guardian (no PII). */
  @IsOptional()
  @IsPhoneNumber()
  sitePhone?: string;

  /**
   * The site's county (GB/T 2260, 6 digits), so the referring hospital can tell sites of the same name apart.
   * Absent from older producers.
   */
  @IsOptional()
  @IsDivisionCode()
  siteCountyCode?: string;

  /** How many sites this referral has been offered to, this one included. */
  @IsInt()
  @Min(1)
  @Max(100)
  hop: number;

  @IsTimestamp()
  assignedAt: string;

  /** The site must accept or decline before this, or the referral escalates. */
  @IsTimestamp()
  answerDueAt: string;

  @IsBoolean()
  needsManualPlacement: boolean;
}

export class ReferralAcceptedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsTimestamp()
  acceptedAt: string;

  /**
   * The accepting site's level in the network (ops-monitor's coverage indicators). Absent from older
   * producers: the site then counts for no coverage.
   */
  @IsOptional()
  @IsOneOf(SITE_LEVELS)
  siteLevel?: SiteLevel;

  /** The divisions the accepting site serves (county, township/street or committee codes). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @Matches(DIVISION_CODE_PATTERN, { each: true, message: 'each of $property must be a division code' })
  siteAreaCodes?: string[];
}

export class ReferralDeclinedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsOneOf(DECLINE_REASONS)
  reasonCode: DeclineReason;

  @IsOptional()
  @IsString()
  @Length(1, 500)
  reasonText?: string;

  @IsTimestamp()
  declinedAt: string;
}

export class ReferralEscalatedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsTimestamp()
  answerDueAt: string;

  @IsTimestamp()
  escalatedAt: string;
}

export class ReferralClosedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsOneOf(CLOSURE_OUTCOMES)
  outcome: ClosureOutcome;

  @IsTimestamp()
  closedAt: string;
}

export class ReferralConsentWithdrawnData {
  @IsReferralId()
  referralId: string;

  @IsReferralId()
  patientRef: string;

  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @IsTimestamp()
  withdrawnAt: string;
}

/**
 * A consent given after registration, for a referral already registered: its holders learn the purpose is now
 * valid (e.g. an employment consent, which the site's employment readiness gate requires). Purposes only.
 */
export class ReferralConsentGrantedData {
  @IsReferralId()
  referralId: string;

  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  /** Absent: no end date. */
  @IsOptional()
  @IsTimestamp()
  expiresAt?: string;

  @IsTimestamp()
  grantedAt: string;
}

/**
 * The referring hospital cancelled its referral before a site accepted it (coded reason). Propagated like a
 * community-rehab consent withdrawal: registration ends the application, rehab-site ends the open assignment,
 * frees the reserved place and tells the site.
 */
export class ReferralCancelledData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  hospitalId: string;

  @IsOneOf(CANCELLATION_REASONS)
  reasonCode: CancellationReason;

  @IsTimestamp()
  cancelledAt: string;
}
