import { FieldError } from '@app/core';
import { LOCAL_UTC_OFFSET, phoneNumberOf } from '@app/contracts';
import { Hl7Document, Hl7Row } from './hl7v2.adapter';
import {
  ChannelProblem,
  ID_CARD_OID,
  IdentifierCandidate,
  IdentityReading,
  NATIONAL_ID_TYPES,
  readIdentity,
} from './identity';
import { CodeCandidate, DIVISION_CODE_LIKE, ResidenceHint } from './residence';

export interface Hl7Mapping {
  readonly controlId: string;
  readonly header: {
    sendingApp: string;
    sendingFacility: string;
    receivingApp: string;
    receivingFacility: string;
    version: string;
  };
  readonly command: Record<string, unknown>;
  /** JSON pointer in the command → HL7 location (SEG^seq^field) for ERR-2. */
  readonly sources: ReadonlyMap<string, string>;
  readonly identity: IdentityReading;
  readonly residence: ResidenceHint;
  readonly problems: ChannelProblem[];
}

/** HL7 table 0396 names of ICD-10 (and its clinical modifications); an empty system is read as ICD-10. */
const ICD10_CODING_SYSTEMS = [
  '',
  'I10',
  'I10C',
  'I10CN',
  'ICD10',
  'ICD-10',
  'ICD10CN',
  'ICD10CM',
  'I10CM',
  '2.16.156.10011.2.3.3.11',
];

/** DG1-3 (CE/CWE): the identifier when its system is ICD-10, else the alternate (components 4 and 6). */
function icd10Of(dg1: Hl7Row): string | undefined {
  const [code, , system, altCode, , altSystem] = dg1.field(3)[0] ?? [];
  if (code && ICD10_CODING_SYSTEMS.includes((system ?? '').toUpperCase())) return code.trim();
  if (altCode && ICD10_CODING_SYSTEMS.slice(1).includes((altSystem ?? '').toUpperCase()))
    return altCode.trim();
  return undefined;
}

/**
 * PID-3 (and PID-4, where older v2.3 systems put it) repetitions: CX-5 type NI/NNCHN or an assigning
 * authority (CX-4) carrying the ID-card OID mark the resident ID number; the others are hospital identifiers.
 */
function identifiersOf(p: Hl7Row): IdentifierCandidate[] {
  return [3, 4].flatMap((field) =>
    p.field(field).flatMap((rep, i): IdentifierCandidate[] => {
      // An empty field (PID-4 is usually left empty) is no identifier: it would be counted as one.
      if (rep.every((component) => !component)) return [];
      const authority = (rep[3] ?? '').split('&');
      const type = rep[4] ?? '';
      return [
        {
          value: rep[0] || undefined,
          at: `PID^1^${field}${i > 0 ? `^${i + 1}` : ''}`,
          national: NATIONAL_ID_TYPES.includes(type) || authority.includes(ID_CARD_OID),
          system: [authority.filter(Boolean).join('&'), type].filter(Boolean).join('^'),
        },
      ];
    }),
  );
}

/**
 * The residence of PID-11 (the home repetition, type H, else the first): division codes in XAD-9 (county
 * code), XAD-8 or XAD-10, and the names XAD-4 province, XAD-3 city, XAD-9 county name, XAD-1/2/8 lines.
 */
function residenceOf(p: Hl7Row): ResidenceHint {
  const reps = p.field(11);
  let index = reps.findIndex((rep) => rep[6] === 'H');
  if (index < 0) index = 0;
  const rep = reps[index] ?? [];
  const at = `PID^1^11${index > 0 ? `^${index + 1}` : ''}`;
  const codes: CodeCandidate[] = [];
  for (const component of [9, 8, 10]) {
    const value = (rep[component - 1] ?? '').trim();
    if (DIVISION_CODE_LIKE.test(value)) codes.push({ code: value, at: `PID^1^11^${index + 1}^${component}` });
  }
  const countyName = (rep[8] ?? '').trim();
  const text = [rep[0], rep[1], DIVISION_CODE_LIKE.test(rep[7] ?? '') ? '' : rep[7]]
    .filter(Boolean)
    .join(' ');
  return {
    codes,
    parts: {
      province: rep[3]?.trim() || undefined,
      prefecture: rep[2]?.trim() || undefined,
      county: countyName && !DIVISION_CODE_LIKE.test(countyName) ? countyName : undefined,
      text: text || undefined,
    },
    at,
  };
}

export class Hl7MappingError extends Error {
  constructor(
    readonly controlId: string,
    readonly errors: FieldError[],
  ) {
    super('The message cannot be read as a discharge');
  }
}

/** Local observation codes (OBX-3) of the discharge assessment, documented in the README. */
export const HL7_OBSERVATIONS = {
  riskLevel: 'RISK_LEVEL',
  conditionStatus: 'CONDITION_STATUS',
  employmentInterest: 'EMPLOYMENT_INTEREST',
  rehabNeeds: 'REHAB_NEEDS',
  lacksCapacity: 'LACKS_CAPACITY',
  consent: 'CONSENT',
} as const;

const FUNCTIONAL = { GAF: 'gaf', SDSS: 'sdss', PSP: 'psp', ADL: 'adl' } as const;

/** HL7 table 0063 → guardian relationship. */
const RELATIONSHIPS: Record<string, string> = {
  SPO: 'spouse',
  MTH: 'parent',
  FTH: 'parent',
  PAR: 'parent',
  CHD: 'child',
  SIB: 'sibling',
  BRO: 'sibling',
  SIS: 'sibling',
};

/** HL7 DTM: YYYYMMDD[HH[MM[SS[.S…]]]][+/-ZZZZ]. */
const HL7_DTM = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})?(\d{2})?(?:\.\d+)?)?([+-]\d{4})?$/;

/** HL7 DTM (YYYYMMDD[HH[MM[SS]]][+ZZZZ]) → RFC 3339; local time defaults to China Standard Time. */
export function hl7Timestamp(
  value: string | undefined,
  defaultOffset = LOCAL_UTC_OFFSET,
): string | undefined {
  if (!value) return undefined;
  const m = HL7_DTM.exec(value);
  if (!m) return value; // left as is: validation names the field
  const offset = m[7] ? `${m[7].slice(0, 3)}:${m[7].slice(3)}` : defaultOffset;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${offset}`;
}

/**
 * A telephone field (XTN): component 1 as sent (HL7 calls it deprecated, Chinese HIS still fill it), else area code
 * and local number (XTN-6, XTN-7), else the unformatted number (XTN-12); in the contracts' form (phoneNumberOf).
 */
function xtnPhone(row: Hl7Row, field: number): string | undefined {
  const split = [row.get(field, 6), row.get(field, 7)].filter((part) => part !== undefined).join('-');
  return phoneNumberOf(row.get(field, 1) ?? (split || row.get(field, 12)));
}

function hl7Date(value: string | undefined): string | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})/.exec(value) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value;
}

const yesNo = (value: string | undefined) =>
  value === undefined ? undefined : /^(Y|YES|TRUE|1)$/i.test(value);

/** OBX-3 code → the first OBX with it, and its position among the message's OBX segments. */
function observationsOf(doc: Hl7Document): Map<string, { row: Hl7Row; index: number }> {
  const observations = new Map<string, { row: Hl7Row; index: number }>();
  doc.segments('OBX').forEach((obx, index) => {
    const code = obx.get(3) ?? '';
    if (!observations.has(code)) observations.set(code, { row: obx, index });
  });
  return observations;
}

/**
 * The discharge assessment in the OBX segments (local codes RISK_LEVEL, CONDITION_STATUS…), or undefined when
 * the risk level or condition status is not there (most hospital systems send neither).
 */
export function assessmentOf(doc: Hl7Document): Record<string, unknown> | undefined {
  const observations = observationsOf(doc);
  const obx = (code: string) => observations.get(code);
  const risk = obx(HL7_OBSERVATIONS.riskLevel)?.row.get(5);
  const conditionStatus = obx(HL7_OBSERVATIONS.conditionStatus)?.row.get(5);
  if (risk === undefined || conditionStatus === undefined) return undefined;
  return {
    riskLevel: /^\d+$/.test(risk) ? Number(risk) : risk,
    conditionStatus,
    functionalScores: Object.entries(FUNCTIONAL)
      .filter(([code]) => obx(code))
      .map(([code, instrument]) => ({ instrument, score: Number(obx(code)!.row.get(5)) })),
    rehabNeeds: (obx(HL7_OBSERVATIONS.rehabNeeds)?.row.field(5) ?? []).map((rep) => rep[0]).filter(Boolean),
    employmentInterest: yesNo(obx(HL7_OBSERVATIONS.employmentInterest)?.row.get(5)) ?? false,
  };
}

export interface OruMapping {
  readonly controlId: string;
  readonly header: Hl7Mapping['header'];
  /** PV1-19: the encounter of the discharge this assessment completes. */
  readonly encounterId: string;
  readonly assessment: Record<string, unknown>;
  readonly sources: ReadonlyMap<string, string>;
  /** OBX this message carries that an ORU^R01 does not read (registration data: consents, capacity). */
  readonly notRead: FieldError[];
}

/**
 * The HL7 v2 versions read (MSH-12): 2.3 to 2.9. Later versions keep every segment and field read here (PID-3 CX
 * with CX-4/CX-5, PID-11 XAD, NK1, PV1-19, DG1-3, OBX), so a hospital on 2.6 or 2.7 is read like one on 2.5;
 * before 2.3 PID-3 had no assigning authority and identifier type to find the ID number by.
 */
export const HL7_VERSIONS = [
  '2.3',
  '2.3.1',
  '2.4',
  '2.5',
  '2.5.1',
  '2.6',
  '2.7',
  '2.7.1',
  '2.8',
  '2.8.1',
  '2.8.2',
  '2.9',
];

/** The problem with a message's MSH-12, if its version is not one read here (HTTP and MLLP alike). */
export function versionProblem(version: string): FieldError | undefined {
  if (HL7_VERSIONS.includes(version)) return undefined;
  return {
    pointer: 'MSH^1^12',
    code: 'UNSUPPORTED_VERSION',
    detail: `HL7 version ${version.slice(0, 10) || '(empty)'} is not supported (2.3 to 2.9)`,
  };
}

/** MSH-3 to MSH-6 and MSH-12: the addressing an ACK echoes. */
export function headerOf(doc: Hl7Document): Hl7Mapping['header'] {
  return {
    sendingApp: doc.msh(3),
    sendingFacility: doc.msh(4),
    receivingApp: doc.msh(5),
    receivingFacility: doc.msh(6),
    version: doc.msh(12),
  };
}

/** Whether the message is an ORU^R01 (observation result: the discharge assessment sent later). */
export function isOruR01(doc: Hl7Document): boolean {
  const [type, event] = doc.msh(9).split('^');
  return type === 'ORU' && event === 'R01';
}

/** Reads an ORU^R01 carrying the discharge assessment (OBX) of an encounter (PV1-19) discharged earlier. */
export function mapOruR01(doc: Hl7Document): OruMapping {
  const controlId = doc.msh(10);
  const encounterId = doc.segments('PV1')[0]?.get(19);
  const assessment = assessmentOf(doc);
  const problems: FieldError[] = [];
  const version = versionProblem(doc.msh(12).split('^')[0]);
  if (version) problems.push(version);
  if (!controlId) problems.push({ pointer: 'MSH^1^10', detail: 'MSH-10 message control id is required' });
  if (!encounterId) {
    problems.push({ pointer: 'PV1^1^19', detail: 'PV1-19 (the encounter of the discharge) is required' });
  }
  if (!assessment) {
    problems.push({
      pointer: 'OBX',
      detail: `the assessment needs OBX ${HL7_OBSERVATIONS.riskLevel} (0–5) and ${HL7_OBSERVATIONS.conditionStatus}`,
    });
  }
  if (problems.length > 0 || !encounterId || !assessment) throw new Hl7MappingError(controlId, problems);
  const observations = observationsOf(doc);
  const at = (code: string) => {
    const found = observations.get(code);
    return found ? `OBX^${found.index + 1}^5` : 'OBX';
  };
  const sources = new Map<string, string>([
    ['#/riskLevel', at(HL7_OBSERVATIONS.riskLevel)],
    ['#/conditionStatus', at(HL7_OBSERVATIONS.conditionStatus)],
    ['#/rehabNeeds', at(HL7_OBSERVATIONS.rehabNeeds)],
    ['#/employmentInterest', at(HL7_OBSERVATIONS.employmentInterest)],
  ]);
  // Consents and capacity are registration data, read with the discharge (ADT^A03) only: say so, never drop them
  // without a word.
  const notRead = doc
    .segments('OBX')
    .map((obx, index) => ({ code: obx.get(3) ?? '', index }))
    .filter(({ code }) => code === HL7_OBSERVATIONS.consent || code === HL7_OBSERVATIONS.lacksCapacity)
    .map(({ code, index }) => ({
      pointer: `OBX^${index + 1}^3`,
      detail: `OBX ${code} is not read on an ORU^R01, which completes the assessment only: send it with the ADT^A03, or the consent through registration`,
    }));
  return { controlId, header: headerOf(doc), encounterId, assessment, sources, notRead };
}

/** Reads an ADT^A03 (discharge) into the discharge command. */
export function mapAdtA03(doc: Hl7Document): Hl7Mapping {
  const controlId = doc.msh(10);
  const problems: FieldError[] = [];
  const messageType = doc.msh(9).split('^');
  const version = versionProblem(doc.msh(12).split('^')[0]);
  if (version) problems.push(version);
  if (messageType[0] !== 'ADT' || messageType[1] !== 'A03') {
    problems.push({ pointer: 'MSH^1^9', detail: `expected ADT^A03, got ${doc.msh(9).slice(0, 20)}` });
  }
  if (!controlId) problems.push({ pointer: 'MSH^1^10', detail: 'MSH-10 message control id is required' });
  const pid = doc.segments('PID');
  const pv1 = doc.segments('PV1');
  if (pid.length !== 1) problems.push({ pointer: 'PID', detail: 'exactly one PID segment is required' });
  if (pv1.length !== 1) problems.push({ pointer: 'PV1', detail: 'exactly one PV1 segment is required' });
  if (problems.length > 0) throw new Hl7MappingError(controlId, problems);

  const p = pid[0];
  const v = pv1[0];
  const identity = readIdentity(identifiersOf(p), 'PID^1^3');
  const residence = residenceOf(p);
  const observations = observationsOf(doc);
  const obx = (code: string) => observations.get(code);
  const obxLocation = (code: string) => {
    const found = obx(code);
    return found ? `OBX^${found.index + 1}^5` : 'OBX';
  };

  const nk1 = doc.segments('NK1')[0];
  const family = p.get(5, 1) ?? '';
  const given = p.get(5, 2) ?? '';
  const guardian = nk1 && {
    name: `${nk1.get(2, 1) ?? ''}${nk1.get(2, 2) ?? ''}` || undefined,
    relationship: RELATIONSHIPS[nk1.get(3) ?? ''] ?? 'other',
    phone: xtnPhone(nk1, 5),
  };

  const diagnosisProblems: ChannelProblem[] = [];
  const diagnoses = doc.segments('DG1').map((dg1, index) => {
    const code = icd10Of(dg1);
    if (code === undefined) {
      diagnosisProblems.push({
        pointer: `DG1^${index + 1}^3`,
        covers: `#/diagnoses/${index}/code`,
        code: 'ICD10_REQUIRED',
        detail: `an ICD-10 code is required in DG1-3 (coding system I10; found ${dg1.get(3, 3) ?? 'none'}${dg1.get(3, 6) ? ` and ${dg1.get(3, 6)}` : ''})`,
      });
    }
    return { ...(code ? { code } : {}), ...(dg1.get(15) === '1' ? { primary: true } : {}) };
  });
  const assessment = assessmentOf(doc);
  const consentObx = doc
    .segments('OBX')
    .map((o, index) => ({ o, index }))
    .filter(({ o }) => o.get(3) === HL7_OBSERVATIONS.consent);
  const consents = consentObx.map(({ o }) => ({
    purpose: o.get(5, 1),
    grantedBy: o.get(5, 2),
    method: 'signed-at-hospital',
    grantedAt: hl7Timestamp(o.get(5, 3)),
  }));
  // The time signed in HL7's terms (a date error in JSON's would not tell an HIS what to put in OBX-5.3).
  const consentProblems = consentObx.flatMap(({ o, index }, i): ChannelProblem[] => {
    const signed = o.get(5, 3);
    if (signed !== undefined && HL7_DTM.test(signed)) return [];
    return [
      {
        pointer: `OBX^${index + 1}^5^3`,
        covers: `#/consents/${i}/grantedAt`,
        code: 'CONSENT_TIME_INVALID',
        detail:
          `OBX-5 of CONSENT holds purpose, grantor and the time signed as three components; the time (OBX-5.3) is an HL7 DTM such as 20261127150000` +
          (signed === undefined ? ' (none given)' : ` (found ${signed.slice(0, 30)})`),
      },
    ];
  });

  const command = {
    encounterId: v.get(19),
    admittedAt: hl7Timestamp(v.get(44)),
    dischargedAt: hl7Timestamp(v.get(45)),
    dischargeDisposition: v.get(36),
    patient: {
      name: `${family}${given}` || undefined,
      idNumber: identity.idNumber,
      birthDate: hl7Date(p.get(7)),
      sex: p.get(8) === 'M' ? 'male' : p.get(8) === 'F' ? 'female' : 'unknown',
      phone: xtnPhone(p, 13),
      address: residence.parts.text,
      lacksCapacity: yesNo(obx(HL7_OBSERVATIONS.lacksCapacity)?.row.get(5)) ?? false,
      guardian,
    },
    ...(identity.hospitalIdentifiers.length > 0 ? { hospitalIdentifiers: identity.hospitalIdentifiers } : {}),
    diagnoses,
    // Without a risk level and condition status the discharge is kept awaiting its assessment.
    ...(assessment ? { assessment } : {}),
    consents,
  };

  const sources = new Map<string, string>([
    ['#/encounterId', 'PV1^1^19'],
    ['#/admittedAt', 'PV1^1^44'],
    ['#/dischargedAt', 'PV1^1^45'],
    ['#/dischargeDisposition', 'PV1^1^36'],
    ['#/patient/name', 'PID^1^5'],
    ['#/patient/idNumber', identity.at ?? 'PID^1^3'],
    ['#/patient/birthDate', 'PID^1^7'],
    ['#/patient/sex', 'PID^1^8'],
    ['#/patient/phone', 'PID^1^13'],
    ['#/patient/address', 'PID^1^11'],
    ['#/patient/residenceDivisionCode', residence.at],
    ['#/patient/guardian', 'NK1'],
    ['#/diagnoses', 'DG1'],
    ['#/assessment/riskLevel', obxLocation(HL7_OBSERVATIONS.riskLevel)],
    ['#/assessment/conditionStatus', obxLocation(HL7_OBSERVATIONS.conditionStatus)],
    ['#/assessment/rehabNeeds', obxLocation(HL7_OBSERVATIONS.rehabNeeds)],
    ['#/assessment/employmentInterest', obxLocation(HL7_OBSERVATIONS.employmentInterest)],
    ['#/assessment', 'OBX'],
    ['#/consents', 'OBX'],
  ]);
  diagnoses.forEach((_, index) => sources.set(`#/diagnoses/${index}`, `DG1^${index + 1}^3`));
  // Each consent is the OBX it came from (OBX-5: purpose^grantor^time).
  consentObx.forEach(({ index }, i) => sources.set(`#/consents/${i}`, `OBX^${index + 1}^5`));

  return {
    controlId,
    header: headerOf(doc),
    command: dropEmpty(command) as Record<string, unknown>,
    sources,
    identity,
    residence,
    problems: [...diagnosisProblems, ...consentProblems],
  };
}

function dropEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmpty);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, dropEmpty(v)]),
    );
  }
  return value;
}
