import type {
  Bundle,
  Condition,
  Consent,
  ContactPoint,
  Encounter,
  FhirResource,
  HumanName,
  Observation,
  Patient,
  RelatedPerson,
  ServiceRequest,
} from 'fhir/r4';
import { phoneNumberOf } from '@app/contracts';
import { FieldError } from '@app/core';
import {
  ChannelProblem,
  ID_CARD_SYSTEMS,
  IdentifierCandidate,
  IdentityReading,
  NATIONAL_ID_TYPES,
  readIdentity,
} from './identity';
import { readFhirAssessment } from './fhir-assessment';
import { readConsents, readDiagnoses } from './fhir-clinical';
import { readAddress } from './fhir-address';
import { ResidenceHint } from './residence';

/** Code systems and extensions of the referral-bus FHIR profile (documented in the README). */
export const FHIR_PROFILE = {
  divisionCode: 'https://referral-bus.dev/fhir/StructureDefinition/division-code',
  lacksCapacity: 'https://referral-bus.dev/fhir/StructureDefinition/lacks-capacity',
  assessment: 'https://referral-bus.dev/fhir/CodeSystem/discharge-assessment',
  rehabService: 'https://referral-bus.dev/fhir/CodeSystem/rehab-service',
  consentPurpose: 'https://referral-bus.dev/fhir/CodeSystem/consent-purpose',
} as const;

export interface FhirMapping {
  /** The plain discharge command (validated afterwards like every channel's). */
  readonly command: Record<string, unknown>;
  /** JSON pointer in the command → FHIRPath expression of its source, to name problems in FHIR terms. */
  readonly sources: ReadonlyMap<string, string>;
  /** The ID number picked among the identifiers (the others kept), or why none could be. */
  readonly identity: IdentityReading;
  /** What the mapper found wrong in terms the generic validation cannot give (e.g. no ICD-10 coding). */
  readonly problems: ChannelProblem[];
  /** Division codes and names of the residence address, resolved by the caller. */
  readonly residence: ResidenceHint;
}

export class FhirMappingError extends Error {
  constructor(readonly errors: FieldError[]) {
    super('The Bundle cannot be read as a discharge');
  }
}

const RELATIONSHIPS: Record<string, string> = {
  SPS: 'spouse',
  HUSB: 'spouse',
  WIFE: 'spouse',
  MTH: 'parent',
  FTH: 'parent',
  PRN: 'parent',
  CHILD: 'child',
  SON: 'child',
  DAU: 'child',
  SIB: 'sibling',
  BRO: 'sibling',
  SIS: 'sibling',
};

export type Located<T> = { resource: T; at: string };

function nameText(names: HumanName[] | undefined): string | undefined {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  if (!name) return undefined;
  return name.text ?? (`${name.family ?? ''}${(name.given ?? []).join('')}` || undefined);
}

const phoneOf = (telecom: ContactPoint[] | undefined) =>
  phoneNumberOf(telecom?.find((t) => t.system === 'phone')?.value);

/**
 * The JSON shape FHIR R4 gives the elements the mapper navigates, by the type that holds them: an element's
 * cardinality depends on its type (`Bundle.identifier` and `Reference.identifier` are one Identifier,
 * `Patient.identifier` a list; `Patient.name` is a list of HumanName, `Patient.contact.name` one HumanName,
 * `Organization.name` a string), so a check by element name alone refuses valid R4. Types and elements not listed
 * are not checked here: the mapper does not read them, and a shape it cannot read still ends as a refusal naming
 * the Bundle, never a 500.
 */
type Shape =
  { readonly kind: 'array' | 'object'; readonly type?: string } | { readonly kind: 'string' | 'strings' };
const list = (type: string): Shape => ({ kind: 'array', type });
const one = (type: string): Shape => ({ kind: 'object', type });
const text: Shape = { kind: 'string' };
const texts: Shape = { kind: 'strings' };

const R4_SHAPES: Readonly<Record<string, Readonly<Record<string, Shape>>>> = {
  Bundle: { resourceType: text, identifier: one('Identifier'), entry: list('BundleEntry') },
  BundleEntry: { resource: one('Resource') },
  Patient: {
    resourceType: text,
    identifier: list('Identifier'),
    name: list('HumanName'),
    telecom: list('ContactPoint'),
    address: list('Address'),
    extension: list('Extension'),
    contact: list('PatientContact'),
  },
  PatientContact: {
    relationship: list('CodeableConcept'),
    name: one('HumanName'),
    telecom: list('ContactPoint'),
    address: one('Address'),
  },
  RelatedPerson: {
    resourceType: text,
    identifier: list('Identifier'),
    relationship: list('CodeableConcept'),
    name: list('HumanName'),
    telecom: list('ContactPoint'),
    address: list('Address'),
  },
  Encounter: {
    resourceType: text,
    identifier: list('Identifier'),
    period: one('Period'),
    hospitalization: one('EncounterHospitalization'),
    serviceProvider: one('Reference'),
    subject: one('Reference'),
    extension: list('Extension'),
  },
  EncounterHospitalization: { dischargeDisposition: one('CodeableConcept') },
  Condition: {
    resourceType: text,
    code: one('CodeableConcept'),
    category: list('CodeableConcept'),
    subject: one('Reference'),
  },
  Observation: {
    resourceType: text,
    code: one('CodeableConcept'),
    category: list('CodeableConcept'),
    valueCodeableConcept: one('CodeableConcept'),
    valueQuantity: one('Quantity'),
    subject: one('Reference'),
    performer: list('Reference'),
    component: list('ObservationComponent'),
  },
  ObservationComponent: {
    code: one('CodeableConcept'),
    valueCodeableConcept: one('CodeableConcept'),
    valueQuantity: one('Quantity'),
  },
  ServiceRequest: {
    resourceType: text,
    code: one('CodeableConcept'),
    category: list('CodeableConcept'),
    orderDetail: list('CodeableConcept'),
    performer: list('Reference'),
    subject: one('Reference'),
  },
  Consent: {
    resourceType: text,
    scope: one('CodeableConcept'),
    category: list('CodeableConcept'),
    patient: one('Reference'),
    performer: list('Reference'),
    organization: list('Reference'),
    provision: one('ConsentProvision'),
  },
  ConsentProvision: {
    period: one('Period'),
    actor: list('ConsentActor'),
    purpose: list('Coding'),
    provision: list('ConsentProvision'),
  },
  ConsentActor: { role: one('CodeableConcept'), reference: one('Reference') },
  Identifier: {
    system: text,
    type: one('CodeableConcept'),
    period: one('Period'),
    assigner: one('Reference'),
  },
  HumanName: { family: text, given: texts, prefix: texts, suffix: texts },
  Address: { line: texts, extension: list('Extension'), period: one('Period') },
  ContactPoint: { system: text, period: one('Period') },
  CodeableConcept: { coding: list('Coding') },
  Coding: { system: text, code: text },
  Reference: { reference: text, identifier: one('Identifier') },
  Extension: {
    url: text,
    extension: list('Extension'),
    valueCodeableConcept: one('CodeableConcept'),
    valueCoding: one('Coding'),
    valueIdentifier: one('Identifier'),
    valueReference: one('Reference'),
  },
  Period: {},
  Quantity: { system: text, code: text },
};

/** The elements of an R4 Bundle (a Resource: no text, contained or extension). */
const BUNDLE_ELEMENTS = new Set([
  'resourceType',
  'id',
  'meta',
  'implicitRules',
  'language',
  'identifier',
  'type',
  'timestamp',
  'total',
  'link',
  'entry',
  'signature',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const SHAPE_DETAIL: Record<Shape['kind'], string> = {
  array: 'must be an array of elements',
  strings: 'must be an array of strings',
  object: 'must be an element (a JSON object)',
  string: 'must be a string',
};

/**
 * Structural check of the JSON before it is read (FHIR "structure" errors, with their FHIRPath), by the R4 type
 * of each element (`R4_SHAPES`); a resource's type is its `resourceType`.
 */
function shapeProblems(value: unknown, type: string, path: string, problems: FieldError[], depth = 0): void {
  if (depth > 12) {
    problems.push({ pointer: path, detail: 'nested too deeply' });
    return;
  }
  if (!isObject(value)) return;
  const resolved = type === 'Resource' && typeof value.resourceType === 'string' ? value.resourceType : type;
  const shapes = R4_SHAPES[resolved];
  if (!shapes) return;
  for (const [key, child] of Object.entries(value)) {
    const shape = Object.prototype.hasOwnProperty.call(shapes, key) ? shapes[key] : undefined;
    if (!shape) continue;
    const at = `${path}.${key}`;
    const fits =
      shape.kind === 'array'
        ? Array.isArray(child) && child.every(isObject)
        : shape.kind === 'strings'
          ? Array.isArray(child) && child.every((c) => typeof c === 'string')
          : shape.kind === 'object'
            ? isObject(child)
            : typeof child === 'string';
    if (!fits) {
      problems.push({ pointer: at, detail: `${key} ${SHAPE_DETAIL[shape.kind]}` });
    } else if (shape.kind === 'array' && shape.type) {
      const itemType = shape.type;
      (child as unknown[]).forEach((item, i) =>
        shapeProblems(item, itemType, `${at}[${i}]`, problems, depth + 1),
      );
    } else if (shape.kind === 'object' && shape.type) {
      shapeProblems(child, shape.type, at, problems, depth + 1);
    }
  }
}

/**
 * Reads a FHIR R4 transaction/message Bundle (Patient, Encounter, Condition, ServiceRequest, Observation for
 * the discharge assessment, optional Consent and RelatedPerson) into the discharge command.
 */
export function mapFhirBundle(input: unknown): FhirMapping {
  const shape: FieldError[] = [];
  // Unknown elements are refused, not ignored (FHIR R4 JSON lets a receiver reject them; the sender learns
  // that what it meant to say was not read): the Bundle's own elements, and `_x` extensions of its primitives.
  if (isObject(input)) {
    for (const key of Object.keys(input).filter((k) => !BUNDLE_ELEMENTS.has(k.replace(/^_/, '')))) {
      shape.push({ pointer: `Bundle.${key}`, detail: `${key} is not an element of a FHIR R4 Bundle` });
    }
  }
  shapeProblems(input, 'Bundle', 'Bundle', shape);
  if (shape.length > 0) throw new FhirMappingError(shape.slice(0, 20));
  try {
    return readBundle(input);
  } catch (error) {
    if (error instanceof FhirMappingError) throw error;
    // A shape the checks above do not foresee: still the sender's problem, never a 500.
    throw new FhirMappingError([
      { pointer: 'Bundle', detail: 'the Bundle could not be read as a discharge' },
    ]);
  }
}

function readBundle(input: unknown): FhirMapping {
  const problems: FieldError[] = [];
  const sources = new Map<string, string>();
  const problem = (expression: string, detail: string) => problems.push({ pointer: expression, detail });

  if (
    typeof input !== 'object' ||
    input === null ||
    (input as { resourceType?: unknown }).resourceType !== 'Bundle'
  ) {
    throw new FhirMappingError([{ pointer: 'Bundle', detail: 'the body must be a FHIR R4 Bundle' }]);
  }
  const bundle = input as Bundle;
  if (!['transaction', 'message', 'collection'].includes(bundle.type)) {
    problem('Bundle.type', 'Bundle.type must be transaction, message or collection');
  }
  if (!Array.isArray(bundle.entry) || bundle.entry.length === 0) {
    throw new FhirMappingError([
      ...problems,
      { pointer: 'Bundle.entry', detail: 'the Bundle has no entries' },
    ]);
  }

  const all = bundle.entry
    .map((entry, index) => ({ resource: entry?.resource, at: `Bundle.entry[${index}].resource` }))
    .filter((e): e is Located<FhirResource> => typeof e.resource === 'object' && e.resource !== null);
  const ofType = <T extends FhirResource>(type: T['resourceType']) =>
    all.filter((e) => e.resource.resourceType === type) as Located<T>[];
  const exactlyOne = <T extends FhirResource>(type: T['resourceType']): Located<T> | undefined => {
    const found = ofType<T>(type);
    if (found.length !== 1)
      problem(
        `Bundle.entry.resource.ofType(${type})`,
        `exactly one ${type} is required (found ${found.length})`,
      );
    return found.length === 1 ? found[0] : undefined;
  };

  const patient = exactlyOne<Patient>('Patient');
  const encounter = exactlyOne<Encounter>('Encounter');
  // The referral order is optional: a discharge summary as hospital systems emit it often has none (the
  // discharge is the referral). When present it carries the rehab needs.
  const serviceRequests = ofType<ServiceRequest>('ServiceRequest');
  if (serviceRequests.length > 1)
    problem(
      'Bundle.entry.resource.ofType(ServiceRequest)',
      `at most one ServiceRequest (the referral) is allowed (found ${serviceRequests.length})`,
    );
  const serviceRequest = serviceRequests[0];
  const conditions = ofType<Condition>('Condition');
  if (conditions.length === 0)
    problem('Bundle.entry.resource.ofType(Condition)', 'at least one Condition is required');
  const guardians = ofType<RelatedPerson>('RelatedPerson');
  if (guardians.length > 1) problem('Bundle.entry.resource.ofType(RelatedPerson)', 'at most one guardian');
  if (problems.length > 0 || !patient || !encounter) throw new FhirMappingError(problems);

  // Patient
  const p = patient.resource;
  const identity = readIdentity(
    (p.identifier ?? []).map((identifier, i): IdentifierCandidate => ({
      value: identifier.value,
      at: `${patient.at}.identifier[${i}].value`,
      national:
        ID_CARD_SYSTEMS.includes(identifier.system ?? '') ||
        (identifier.type?.coding ?? []).some((c) => NATIONAL_ID_TYPES.includes(c.code ?? '')),
      system: identifier.system ?? identifier.type?.coding?.[0]?.code ?? identifier.type?.text ?? '',
    })),
    `${patient.at}.identifier`,
  );
  const { address, residence } = readAddress(p, patient.at);
  sources.set('#/patient/idNumber', identity.at ?? `${patient.at}.identifier`);
  sources.set('#/patient/name', `${patient.at}.name`);
  sources.set('#/patient/birthDate', `${patient.at}.birthDate`);
  sources.set('#/patient/sex', `${patient.at}.gender`);
  sources.set('#/patient/phone', `${patient.at}.telecom`);
  sources.set('#/patient/address', `${residence.at}.text`);
  sources.set('#/patient/residenceDivisionCode', residence.at);
  sources.set('#/patient/lacksCapacity', `${patient.at}.extension`);
  const lacksCapacity = p.extension?.find((e) => e.url === FHIR_PROFILE.lacksCapacity)?.valueBoolean ?? false;
  const guardian = guardians[0];
  if (guardian) {
    sources.set('#/patient/guardian', guardian.at);
    sources.set('#/patient/guardian/name', `${guardian.at}.name`);
    sources.set('#/patient/guardian/relationship', `${guardian.at}.relationship`);
    sources.set('#/patient/guardian/phone', `${guardian.at}.telecom`);
  } else {
    sources.set('#/patient/guardian', 'Bundle.entry.resource.ofType(RelatedPerson)');
  }
  const patientCommand = {
    name: nameText(p.name),
    idNumber: identity.idNumber,
    birthDate: p.birthDate,
    sex: p.gender === 'male' || p.gender === 'female' ? p.gender : 'unknown',
    phone: phoneOf(p.telecom),
    address: address?.text ?? ([...(address?.line ?? [])].join('') || undefined),
    lacksCapacity,
    guardian: guardian && {
      name: nameText(guardian.resource.name),
      relationship: RELATIONSHIPS[guardian.resource.relationship?.[0]?.coding?.[0]?.code ?? ''] ?? 'other',
      phone: phoneOf(guardian.resource.telecom),
    },
  };

  // Encounter
  const e = encounter.resource;
  sources.set('#/encounterId', `${encounter.at}.identifier[0].value`);
  sources.set('#/admittedAt', `${encounter.at}.period.start`);
  sources.set('#/dischargedAt', `${encounter.at}.period.end`);
  sources.set('#/dischargeDisposition', `${encounter.at}.hospitalization.dischargeDisposition`);

  // Conditions (ICD-10 under any of its usual systems)
  const { diagnoses, problems: diagnosisProblems } = readDiagnoses(conditions, sources);
  sources.set('#/diagnoses', 'Bundle.entry.resource.ofType(Condition)');

  // Assessment (Observations coded in the discharge-assessment system) and needs (ServiceRequest codes)
  const assessment = readFhirAssessment(ofType<Observation>('Observation'), serviceRequest, sources);

  // Consents (standard R4 Consent: category, provision.purpose and period, performer by any reference form)
  const consents = readConsents(
    ofType<Consent>('Consent'),
    bundle.entry,
    FHIR_PROFILE.consentPurpose,
    sources,
  );

  const command = {
    encounterId: e.identifier?.[0]?.value ?? e.id,
    admittedAt: e.period?.start,
    dischargedAt: e.period?.end,
    dischargeDisposition: e.hospitalization?.dischargeDisposition?.coding?.[0]?.code,
    patient: patientCommand,
    ...(identity.hospitalIdentifiers.length > 0 ? { hospitalIdentifiers: identity.hospitalIdentifiers } : {}),
    diagnoses,
    // Without a risk level and condition status the discharge is kept awaiting its assessment.
    ...(assessment ? { assessment } : {}),
    consents,
  };
  return {
    command: dropUndefined(command) as Record<string, unknown>,
    sources,
    identity,
    residence,
    problems: diagnosisProblems,
  };
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, dropUndefined(v)]),
    );
  }
  return value;
}
