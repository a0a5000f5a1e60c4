import type { BundleEntry, Condition, Consent, Reference } from 'fhir/r4';
import { ChannelProblem } from './identity';

type Located<T> = { resource: T; at: string };

/**
 * Code systems under which hospital systems send ICD-10: the WHO and FHIR URIs, the HL7 OID, the Chinese
 * national code table of WS 364 / WS/T 500 documents (2.16.156.10011.2.3.3.11 and its sub-tables) and
 * the clinical modifications. Any system naming ICD-10 is taken too.
 */
const ICD10_SYSTEMS = [
  'http://hl7.org/fhir/sid/icd-10',
  'http://hl7.org/fhir/sid/icd-10-cn',
  'http://hl7.org/fhir/sid/icd-10-cm',
  'urn:oid:2.16.840.1.113883.6.3',
  'urn:oid:2.16.840.1.113883.6.90',
];
const CHINESE_ICD10_OID = /^urn:oid:2\.16\.156\.10011\.2\.3\.3\.11(\.\d+)?$/;

export function isIcd10System(system: string | undefined): boolean {
  if (!system) return false;
  return ICD10_SYSTEMS.includes(system) || CHINESE_ICD10_OID.test(system) || /icd-?10/i.test(system);
}

/** Each Condition's ICD-10 code; a Condition coded only in SNOMED CT or another system is named. */
export function readDiagnoses(
  conditions: Located<Condition>[],
  sources: Map<string, string>,
): { diagnoses: { code?: string }[]; problems: ChannelProblem[] } {
  const problems: ChannelProblem[] = [];
  const diagnoses = conditions.map((c, index) => {
    const codings = c.resource.code?.coding ?? [];
    const at = codings.findIndex((x) => isIcd10System(x.system) && x.code);
    sources.set(`#/diagnoses/${index}`, `${c.at}.code`);
    sources.set(`#/diagnoses/${index}/code`, `${c.at}.code.coding[${Math.max(at, 0)}].code`);
    if (at < 0) {
      const others = codings.map((x) => x.system ?? 'no system').join(', ') || 'no coding';
      problems.push({
        pointer: `${c.at}.code`,
        covers: `#/diagnoses/${index}/code`,
        code: 'ICD10_REQUIRED',
        detail:
          `an ICD-10 code is required for each diagnosis (found ${others}): add a coding with system ` +
          'http://hl7.org/fhir/sid/icd-10 or urn:oid:2.16.156.10011.2.3.3.11 beside the other codings',
      });
      return {};
    }
    return { code: codings[at].code!.trim() };
  });
  return { diagnoses, problems };
}

/** v3 PurposeOfUse / ActReason codes read as consent to the community rehabilitation referral. */
const REHAB_PURPOSES = ['TREAT', 'ETREAT', 'COC', 'CAREMGT', 'POPHLTH'];
/** LOINC 59284-0 "Patient Consent" (the category FHIR R4 Consent examples use). */
const PATIENT_CONSENT_LOINC = '59284-0';

/** Resolves a reference to the resource type it designates: `RelatedPerson/x`, `urn:uuid:…`, `#contained`, or `type`. */
function referencedType(reference: Reference, entries: BundleEntry[], consent: Consent): string | undefined {
  if (reference.type) return reference.type;
  const ref = reference.reference ?? '';
  if (ref.startsWith('#')) {
    return (consent.contained ?? []).find((r) => `#${r.id}` === ref)?.resourceType;
  }
  const byFullUrl = entries.find((e) => e.fullUrl && e.fullUrl === ref)?.resource;
  if (byFullUrl) return byFullUrl.resourceType;
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/[^/]+$/.exec(ref);
  return match?.[1];
}

/**
 * Active Consents as consent grants: purpose from the project's code in category, else provision.purpose
 * (TREAT, COC, CAREMGT…: community rehab), else a LOINC 59284-0 patient consent in a referral Bundle (community
 * rehab); granted by a guardian when a performer resolves to a RelatedPerson by any reference form.
 */
export function readConsents(
  consents: Located<Consent>[],
  entries: BundleEntry[],
  projectPurposeSystem: string,
  sources: Map<string, string>,
): Record<string, unknown>[] {
  return consents
    .filter((c) => c.resource.status === 'active')
    .map((c, index) => {
      const consent = c.resource;
      const own = (consent.category ?? [])
        .flatMap((concept) => concept.coding ?? [])
        .find((x) => x.system === projectPurposeSystem)?.code;
      const standard = (consent.provision?.purpose ?? []).find((p) => REHAB_PURPOSES.includes(p.code ?? ''));
      const loinc = (consent.category ?? []).some((concept) =>
        (concept.coding ?? []).some((x) => x.code === PATIENT_CONSENT_LOINC),
      );
      const purpose = own ?? (standard || loinc ? 'community-rehab' : undefined);
      const byGuardian = (consent.performer ?? []).some(
        (r) => referencedType(r, entries, consent) === 'RelatedPerson',
      );
      const grantedAt = consent.dateTime ?? consent.provision?.period?.start;
      sources.set(`#/consents/${index}`, c.at);
      sources.set(`#/consents/${index}/purpose`, own ? `${c.at}.category` : `${c.at}.provision.purpose`);
      sources.set(
        `#/consents/${index}/grantedAt`,
        consent.dateTime ? `${c.at}.dateTime` : `${c.at}.provision.period.start`,
      );
      sources.set(`#/consents/${index}/expiresAt`, `${c.at}.provision.period.end`);
      sources.set(`#/consents/${index}/grantedBy`, `${c.at}.performer`);
      return {
        purpose,
        grantedBy: byGuardian ? 'guardian' : 'patient',
        method: 'signed-at-hospital',
        grantedAt,
        ...(consent.provision?.period?.end ? { expiresAt: consent.provision.period.end } : {}),
      };
    });
}
