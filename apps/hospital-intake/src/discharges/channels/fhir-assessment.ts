import type { Observation, ServiceRequest } from 'fhir/r4';
import { FHIR_PROFILE, Located } from './fhir.mapper';

const ANY_OBSERVATION = 'Bundle.entry.resource.ofType(Observation)';

/**
 * The discharge assessment in Observations coded in the project's discharge-assessment system (and needs in the
 * ServiceRequest's codes), or undefined without a risk level and a condition status: hospital systems rarely
 * have those codes, and such a discharge is kept awaiting its assessment.
 */
export function readFhirAssessment(
  observations: Located<Observation>[],
  serviceRequest: Located<ServiceRequest> | undefined,
  sources: Map<string, string>,
): Record<string, unknown> | undefined {
  const observation = (code: string) =>
    observations.find((o) =>
      o.resource.code?.coding?.some((c) => c.system === FHIR_PROFILE.assessment && c.code === code),
    );
  const risk = observation('risk-level');
  const condition = observation('condition-status');
  const employment = observation('employment-interest');
  sources.set('#/assessment/riskLevel', risk ? `${risk.at}.valueInteger` : ANY_OBSERVATION);
  sources.set(
    '#/assessment/conditionStatus',
    condition ? `${condition.at}.valueCodeableConcept` : ANY_OBSERVATION,
  );
  sources.set(
    '#/assessment/employmentInterest',
    employment ? `${employment.at}.valueBoolean` : ANY_OBSERVATION,
  );
  sources.set(
    '#/assessment/rehabNeeds',
    serviceRequest ? `${serviceRequest.at}.orderDetail` : ANY_OBSERVATION,
  );
  sources.set('#/assessment', ANY_OBSERVATION);
  if (!risk || !condition) return undefined;
  const scores = (['gaf', 'sdss', 'psp', 'adl'] as const)
    .map((instrument) => ({ instrument, o: observation(instrument) }))
    .filter((s) => s.o)
    .map((s) => ({
      instrument: s.instrument,
      score: s.o!.resource.valueInteger ?? s.o!.resource.valueQuantity?.value,
    }));
  const sr = serviceRequest?.resource;
  const needCodes = [sr?.code, ...(sr?.orderDetail ?? [])]
    .flatMap((concept) => concept?.coding ?? [])
    .filter((c) => c.system === FHIR_PROFILE.rehabService)
    .map((c) => c.code);
  return {
    riskLevel: risk.resource.valueInteger,
    conditionStatus: condition.resource.valueCodeableConcept?.coding?.find(
      (c) => c.system === FHIR_PROFILE.assessment,
    )?.code,
    functionalScores: scores,
    rehabNeeds: needCodes,
    employmentInterest: employment?.resource.valueBoolean ?? false,
  };
}

/** A Bundle that completes the assessment of a referral discharged earlier. */
export interface FhirAssessmentMapping {
  readonly which: { referralId: string } | { encounterId: string };
  /** undefined when the Observations lack a risk level or a condition status. */
  readonly assessment?: Record<string, unknown>;
  readonly sources: Map<string, string>;
}

const SERVICE_REQUEST_REFERENCE = /(?:^|\/)ServiceRequest\/([0-9a-f-]{36})$/i;

/**
 * Whether a Bundle is a discharge assessment sent later: Observations or a QuestionnaireResponse (no Patient,
 * no Encounter), `basedOn` the referral's ServiceRequest (as the discharge's answer located it) or naming the encounter.
 */
export function isAssessmentBundle(bundle: unknown): boolean {
  const entries = (bundle as { entry?: { resource?: { resourceType?: string } }[] })?.entry;
  if (!Array.isArray(entries)) return false;
  const types = entries.map((e) => e?.resource?.resourceType);
  return (
    (types.includes('Observation') || types.includes('QuestionnaireResponse')) &&
    !types.includes('Patient') &&
    !types.includes('Encounter')
  );
}

export function mapFhirAssessmentBundle(bundle: {
  entry: { resource?: Observation }[];
}): FhirAssessmentMapping {
  const observations = bundle.entry
    .map((e, i) => ({ resource: e.resource as Observation, at: `Bundle.entry[${i}].resource` }))
    .filter((o) => o.resource?.resourceType === 'Observation');
  const sources = new Map<string, string>();
  const assessment = readFhirAssessment(observations, undefined, sources);
  const rehabNeeds = observations
    .filter((o) =>
      o.resource.code?.coding?.some((c) => c.system === FHIR_PROFILE.assessment && c.code === 'rehab-needs'),
    )
    .flatMap((o) => o.resource.valueCodeableConcept?.coding ?? [])
    .filter((c) => c.system === FHIR_PROFILE.rehabService)
    .map((c) => c.code);
  const referralId = observations
    .flatMap((o) => o.resource.basedOn ?? [])
    .map((r) => SERVICE_REQUEST_REFERENCE.exec(r.reference ?? '')?.[1])
    .find((id) => id !== undefined);
  const encounterId = observations.map((o) => o.resource.encounter?.identifier?.value).find(Boolean);
  for (const [pointer, source] of [...sources]) sources.set(pointer.replace('#/assessment', '#'), source);
  return {
    which: referralId ? { referralId } : { encounterId: encounterId ?? '' },
    ...(assessment ? { assessment: { ...assessment, rehabNeeds } } : {}),
    sources,
  };
}
