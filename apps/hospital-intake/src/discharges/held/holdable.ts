import { FieldError } from '@app/core';

/**
 * The discharge fields whose absence or error only blocks registration (who the patient is, where they live,
 * their guardian and consents): a discharge wanting only these is kept as held instead of refused. Anything else
 * (encounter, dates, diagnoses, assessment, an unknown element) still refuses the message.
 */
export const HOLDABLE_FIELDS = [
  '#/patient/idNumber',
  '#/patient/residenceDivisionCode',
  '#/patient/name',
  '#/patient/birthDate',
  '#/patient/sex',
  '#/patient/phone',
  '#/patient/address',
  '#/patient/lacksCapacity',
  '#/patient/guardian',
  '#/consents',
] as const;

/** `#/patient/idNumber` → `patient.idNumber`: a discharge field as a completion body (and the API) names it. */
export const completionField = (pointer: string): string => pointer.replace(/^#\/?/, '').split('/').join('.');

/** The holdable fields by their completion names (`patient.idNumber`, `consents`): what the desk's form asks for. */
export const HELD_FIELD_NAMES = HOLDABLE_FIELDS.map(completionField);

/**
 * The problem codes a held field may carry: the channels' own findings about identity and residence and the
 * discharge rules on registration data (a class-validator error carries none: its field says it all).
 */
export const HELD_PROBLEM_CODES = [
  'ID_NUMBER_MISSING',
  'ID_NUMBER_CHECKSUM',
  'ID_NUMBER_CONFLICT',
  'RESIDENCE_MISSING',
  'RESIDENCE_UNRESOLVED',
  'RESIDENCE_AMBIGUOUS',
  'UNKNOWN_DIVISION',
  'BIRTH_DATE_IMPLAUSIBLE',
  'BIRTH_DATE_MISMATCH',
  'GUARDIAN_REQUIRED',
  'CONSENT_BY_INCAPABLE_PATIENT',
  'CONSENT_IN_FUTURE',
  'CONSENT_TIME_INVALID',
  'DUPLICATE_CONSENT',
] as const;

export function isHoldableField(pointer: string): boolean {
  return HOLDABLE_FIELDS.some((field) => pointer === field || pointer.startsWith(`${field}/`));
}

/** One problem of a channel message: where it is in the channel's terms, and the discharge field it concerns. */
export interface Finding extends FieldError {
  /** JSON pointer into the discharge command (what a completion supplies). */
  readonly field: string;
  readonly code?: string;
}

/** The refusal's own entries (the channel location, its code and detail), without the command field. */
export const asFieldErrors = (findings: readonly Finding[]): FieldError[] =>
  findings.map(({ field: _, ...error }) => error);

/** Whether a message with these findings is kept as held: some, all holdable, and a patient it names. */
export function shouldHold(findings: readonly Finding[], identifiesPatient: boolean): boolean {
  return identifiesPatient && findings.length > 0 && findings.every((f) => isHoldableField(f.field));
}
