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
