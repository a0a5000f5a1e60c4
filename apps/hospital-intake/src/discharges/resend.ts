import { ConsentGrantDto, PatientIdentityDto } from '@app/contracts';
import { FieldError } from '@app/core';
import { SubmitDischargeDto } from './dto/submit-discharge.dto';

/**
 * A discharge sent again for an encounter already referred. The referral keeps what it was first sent (a re-sent
 * discharge is no way to correct a patient or an assessment) with one exception: consents signed after the
 * discharge are taken, so a consent signed the day after reaches registration. Everything else that differs is
 * named as not applied, never dropped without a word.
 */

/** Statuses whose referral still takes a consent sent with its discharge again. */
export const CONSENT_TAKING_STATUSES: readonly string[] = ['awaiting-assessment', 'assessed', 'registered'];

/** The most consents a referral holds (`referral.assessed` carries at most ten). */
export const MAX_REFERRAL_CONSENTS = 10;

/** A discharge sent again: a consent it carried was added to the referral (HL7 ERR-3, OperationOutcome code). */
export const CONSENT_ADDED = 'CONSENT_ADDED';
/** A discharge sent again: a field that differs from the referral was not applied (HL7 ERR-3, OperationOutcome). */
export const NOT_APPLIED = 'NOT_APPLIED';

export const NOT_APPLIED_DETAIL = 'differs from the referral as first received; not applied';

/** The discharge assessment a referral has recorded. */
export interface RecordedAssessment {
  riskLevel: number;
  conditionStatus: string;
  functionalScores: { instrument: string; score: number }[];
  rehabNeeds: string[];
  employmentInterest: boolean;
  assessedAt: Date;
}

/** The referral of an encounter as hospital-intake holds it, its patient opened. */
export interface ReferralAsReceived {
  status: string;
  /** Rebuilt after a database restore: its admission, diagnoses and hospital identifiers are not known. */
  restored: boolean;
  admittedAt: Date | null;
  dischargedAt: Date;
  dischargeDisposition: string | null;
  diagnoses: string[];
  patient: PatientIdentityDto;
  hospitalIdentifiers: { system: string; value: string }[];
  /** Undefined while the referral awaits its assessment. */
  assessment?: RecordedAssessment;
  consents: ConsentGrantDto[];
}

export interface ResendOutcome {
  /** What the discharge sent again carries that differs from the referral and is not applied (JSON pointers). */
  notApplied: FieldError[];
  /** The consents the referral did not have, in the order sent: to add to it. */
  consentsAdded: ConsentGrantDto[];
}

const instant = (value: Date | string | null | undefined): number | null =>
  value === null || value === undefined ? null : new Date(value).getTime();

const sameInstant = (a: Date | string | null | undefined, b: Date | string | null | undefined) =>
  instant(a) === instant(b);

const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);

const sameSet = (a: readonly string[], b: readonly string[]) =>
  JSON.stringify([...new Set(a)].sort()) === JSON.stringify([...new Set(b)].sort());

/** The same grant: purpose, grantor, method, and the same instants. */
export function sameGrant(a: ConsentGrantDto, b: ConsentGrantDto): boolean {
  return (
    a.purpose === b.purpose &&
    a.grantedBy === b.grantedBy &&
    a.method === b.method &&
    sameInstant(a.grantedAt, b.grantedAt) &&
    sameInstant(a.expiresAt, b.expiresAt)
  );
}

/** A consent as the referral keeps it (the fields of ConsentGrantDto, nothing else). */
export function consentOf(c: ConsentGrantDto): ConsentGrantDto {
  return {
    purpose: c.purpose,
    grantedBy: c.grantedBy,
    method: c.method,
    grantedAt: c.grantedAt,
    ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}),
  };
}

function patientDifferences(held: PatientIdentityDto, sent: PatientIdentityDto): string[] {
  const fields = [
    'name',
    'idNumber',
    'birthDate',
    'sex',
    'phone',
    'address',
    'residenceDivisionCode',
    'lacksCapacity',
  ] as const;
  const differ: string[] = fields.filter((f) => !same(held[f], sent[f])).map((f) => `#/patient/${f}`);
  if (!held.guardian !== !sent.guardian) {
    differ.push('#/patient/guardian');
  } else if (held.guardian && sent.guardian) {
    for (const f of ['name', 'relationship', 'phone'] as const) {
      if (!same(held.guardian[f], sent.guardian[f])) differ.push(`#/patient/guardian/${f}`);
    }
  }
  return differ;
}

function assessmentDifferences(
  held: RecordedAssessment,
  sent: NonNullable<SubmitDischargeDto['assessment']>,
): string[] {
  const scores = (list: readonly { instrument: string; score: number }[]) =>
    list.map((s) => `${s.instrument}:${s.score}`);
  return [
    ['riskLevel', same(held.riskLevel, sent.riskLevel)],
    ['conditionStatus', same(held.conditionStatus, sent.conditionStatus)],
    ['functionalScores', sameSet(scores(held.functionalScores), scores(sent.functionalScores ?? []))],
    ['rehabNeeds', sameSet(held.rehabNeeds, sent.rehabNeeds)],
    ['employmentInterest', same(held.employmentInterest, sent.employmentInterest)],
    // Sent without one, it is the discharge time, which is compared on its own.
    ['assessedAt', sent.assessedAt === undefined || sameInstant(held.assessedAt, sent.assessedAt)],
  ]
    .filter(([, equal]) => !equal)
    .map(([field]) => `#/assessment/${field as string}`);
}

/** What a discharge sent again for this referral changes (its new consents) and what it does not (the rest). */
export function compareResend(referral: ReferralAsReceived, command: SubmitDischargeDto): ResendOutcome {
  // In the order of the discharge's fields; what a restored referral does not know is not compared.
  const differ: string[] = [];
  if (!referral.restored && !sameInstant(referral.admittedAt, command.admittedAt))
    differ.push('#/admittedAt');
  if (!sameInstant(referral.dischargedAt, command.dischargedAt)) differ.push('#/dischargedAt');
  if (!same(referral.dischargeDisposition, command.dischargeDisposition)) {
    differ.push('#/dischargeDisposition');
  }
  differ.push(...patientDifferences(referral.patient, command.patient));
  if (!referral.restored) {
    const identifiers = (list: readonly { system: string; value: string }[]) =>
      list.map((i) => JSON.stringify([i.system, i.value]));
    if (!sameSet(identifiers(referral.hospitalIdentifiers), identifiers(command.hospitalIdentifiers ?? []))) {
      differ.push('#/hospitalIdentifiers');
    }
    const codes = command.diagnoses.map((d) => d.code);
    if (!sameSet(referral.diagnoses, codes)) differ.push('#/diagnoses');
  }
  const notApplied: FieldError[] = differ.map((pointer) => ({ pointer, detail: NOT_APPLIED_DETAIL }));

  // An assessment sent again is compared with the one recorded; one sent while the referral awaits its assessment
  // does not complete it (that is the assessment's own message).
  if (command.assessment && referral.assessment) {
    for (const pointer of assessmentDifferences(referral.assessment, command.assessment)) {
      notApplied.push({ pointer, detail: NOT_APPLIED_DETAIL });
    }
  } else if (command.assessment) {
    notApplied.push({
      pointer: '#/assessment',
      detail:
        'the referral awaits its assessment, which a discharge sent again does not record: send the assessment itself',
    });
  }

  const consentsAdded: ConsentGrantDto[] = [];
  (command.consents ?? []).forEach((sent, index) => {
    const pointer = `#/consents/${index}`;
    const held = [...referral.consents, ...consentsAdded];
    if (held.some((c) => sameGrant(c, sent))) return;
    if (!CONSENT_TAKING_STATUSES.includes(referral.status)) {
      notApplied.push({
        pointer,
        detail:
          referral.status === 'registration-expired'
            ? 'registration ended the referral for want of this consent (registration-expired), and an encounter makes one referral: the consent goes with a new application to registration (POST /v1/applications, channel self, family or village-committee); not applied'
            : `the referral is ${referral.status}: it takes no more consents; not applied`,
      });
      return;
    }
    const latest = held
      .filter((c) => c.purpose === sent.purpose)
      .reduce<ConsentGrantDto | undefined>(
        (found, c) => (!found || instant(c.grantedAt)! > instant(found.grantedAt)! ? c : found),
        undefined,
      );
    if (latest && instant(sent.grantedAt)! <= instant(latest.grantedAt)!) {
      notApplied.push({
        pointer,
        detail: `differs from the ${sent.purpose} consent recorded (granted ${new Date(latest.grantedAt).toISOString()}); only a later grant is taken: not applied`,
      });
      return;
    }
    if (held.length >= MAX_REFERRAL_CONSENTS) {
      notApplied.push({
        pointer,
        detail: `the referral holds ${MAX_REFERRAL_CONSENTS} consents, the most it takes; not applied`,
      });
      return;
    }
    consentsAdded.push(consentOf(sent));
  });
  return { notApplied, consentsAdded };
}

/** One problem of a message a channel would hold: the discharge field it concerns and what is wrong. */
export interface HeldFinding {
  /** JSON pointer into the discharge command. */
  readonly field: string;
  readonly detail: string;
}

export interface CompletedResend {
  /** The discharge as read, what it lacks (or has wrong) taken from the referral, its faulty consents left out. */
  discharge: Record<string, unknown>;
  /** The message's problems, each not applied (command pointers into the message as read). */
  notApplied: FieldError[];
  /** The index in the message of each consent kept, in order (pointers of the completed discharge map back). */
  consentIndex: number[];
}

/**
 * A message for an encounter referred already that lacks registration data (which a channel would hold): its
 * patient fields with a problem are the referral's, its consents with a problem are left out, so that the rest
 * can be answered as any discharge sent again. Each problem is named as not applied.
 */
export function completeFromReferral(
  plain: Record<string, unknown>,
  findings: readonly HeldFinding[],
  patient: PatientIdentityDto,
): CompletedResend {
  const notApplied: FieldError[] = findings.map((f) => ({ pointer: f.field, detail: f.detail }));
  const sentPatient = { ...((plain.patient as Record<string, unknown> | undefined) ?? {}) };
  const sentConsents = Array.isArray(plain.consents) ? (plain.consents as unknown[]) : [];
  let dropAllConsents = false;
  const dropConsents = new Set<number>();
  for (const { field } of findings) {
    const own = /^#\/patient\/([^/]+)/.exec(field)?.[1] as keyof PatientIdentityDto | undefined;
    const consent = /^#\/consents\/(\d+)/.exec(field)?.[1];
    if (own) {
      if (patient[own] === undefined) delete sentPatient[own];
      else sentPatient[own] = patient[own];
    } else if (consent !== undefined) {
      dropConsents.add(Number(consent));
    } else if (field === '#/consents') {
      dropAllConsents = true;
    }
  }
  const consentIndex = dropAllConsents
    ? []
    : sentConsents.map((_, index) => index).filter((index) => !dropConsents.has(index));
  return {
    discharge: { ...plain, patient: sentPatient, consents: consentIndex.map((index) => sentConsents[index]) },
    notApplied,
    consentIndex,
  };
}

/** A discharge field as a path for people: `#/patient/name` → `patient.name`, `#/consents/0` → `consents[0]`. */
export function fieldPath(pointer: string): string {
  return pointer
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
