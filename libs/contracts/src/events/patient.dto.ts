import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsDivisionCode, IsNested, IsOneOf, IsPhoneNumber, IsTimestamp } from '../validation';
import {
  CONSENT_GRANTORS,
  CONSENT_METHODS,
  CONSENT_PURPOSES,
  ConsentPurpose,
  PATIENT_SEXES,
} from '../vocabulary';

/**
 * The sealed PII blocks that cross the bus: the event field each travels in and the purpose it is sealed for.
 * Their AES-GCM associated data is `referralSealContext(block, referralId)`.
 */
export const SEALED_BLOCKS = {
  /** hospital-intake → registration: the whole patient block (referral.assessed `sealedPatient`). */
  patient: { purpose: 'referral.patient.v2', field: 'sealedPatient' },
  /** registration → rehab-site: the minimum contact a site needs (referral.registered `sealedContact`). */
  siteContact: { purpose: 'referral.site-contact.v2', field: 'sealedContact' },
} as const;

export type SealedBlock = keyof typeof SEALED_BLOCKS;

/**
 * The associated data of a sealed block carried in an event: its purpose, the referral it belongs to and the
 * field it travels in. A blob copied into another referral's event, or into another field, does not open.
 */
export function referralSealContext(block: SealedBlock, referralId: string): string {
  const { purpose, field } = SEALED_BLOCKS[block];
  return `${purpose};referral=${referralId};field=${field}`;
}

/**
 * The associated data site contacts were sealed with before they were bound to their referral. Only
 * rehab-site's rows stored before that (no `binding` marker) are opened with it; nothing is sealed with it.
 */
export const UNBOUND_SITE_CONTACT_CONTEXT = 'referral.site-contact.v1';

/**
 * Resident identity card number (GB 11643): 17 digits and a digit or X, the check character. A lower-case x is
 * accepted as typed and normalised to X by {@link PatientIdentityDto} (the checksum itself is the intake rules').
 */
export const ID_NUMBER_PATTERN = /^\d{17}[\dXx]$/;

/** Upper-cases the check character of an ID number as typed (`…451x` → `…451X`); anything else is left as is. */
export function normaliseIdNumberCase(value: unknown): unknown {
  return typeof value === 'string' && /^\d{17}x$/.test(value) ? `${value.slice(0, 17)}X` : value;
}

/** A guardian (监护人): the one shape every channel, the bus and the vault use. */
export class GuardianDto {
  @IsString()
  @Length(1, 64)
  name: string;

  /** e.g. spouse, parent, child, sibling, other (监护人关系). */
  @IsString()
  @Length(1, 32)
  relationship: string;

  @IsOptional()
  @IsPhoneNumber()
  phone?: string;
}

/**
 * The patient as registration needs them: what a hospital discharge and every other channel's application
 * carry (OpenAPI docs: libs/platform's contract-docs). Only ever travels sealed (SEALED_BLOCKS.patient).
 */
export class PatientIdentityDto {
  @IsString()
  @Length(1, 64)
  name: string;

  /** Resident identity card number (GB 11643, 18 characters with checksum); a lower-case x becomes X. */
  @Transform(({ value }) => normaliseIdNumberCase(value))
  @Matches(ID_NUMBER_PATTERN, { message: 'idNumber must be 18 characters: 17 digits and a digit or X' })
  idNumber: string;

  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'birthDate must be YYYY-MM-DD' })
  birthDate: string;

  @IsIn(PATIENT_SEXES)
  sex: (typeof PATIENT_SEXES)[number];

  @IsOptional()
  @IsPhoneNumber()
  phone?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  address?: string;

  @IsDivisionCode()
  residenceDivisionCode: string;

  /** The patient lacks capacity to consent: a guardian consents for them. */
  @IsBoolean()
  lacksCapacity: boolean;

  @IsOptional()
  @IsNested(() => GuardianDto)
  guardian?: GuardianDto;
}

/** A consent the hospital captured at discharge (signed at hospital). */
export class ConsentGrantDto {
  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @IsIn(CONSENT_GRANTORS)
  grantedBy: (typeof CONSENT_GRANTORS)[number];

  @IsIn(CONSENT_METHODS)
  method: (typeof CONSENT_METHODS)[number];

  @IsTimestamp()
  grantedAt: string;

  @IsOptional()
  @IsTimestamp()
  expiresAt?: string;
}

/** What a site may see of the patient. Only ever travels sealed (SEALED_BLOCKS.siteContact). */
export class SiteContactDto {
  @IsString()
  @Length(1, 64)
  name: string;

  @IsOptional()
  @IsPhoneNumber()
  phone?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  address?: string;

  @IsOptional()
  @IsNested(() => GuardianDto)
  guardian?: GuardianDto;
}
