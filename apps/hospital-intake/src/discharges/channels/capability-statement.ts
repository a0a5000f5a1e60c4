import type { CapabilityStatement } from 'fhir/r4';

/** What the FHIR endpoint of hospital-intake does (GET /v1/fhir/metadata). */
export function capabilityStatement(now: Date): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: now.toISOString().slice(0, 10),
    publisher: 'referral-bus',
    kind: 'instance',
    software: { name: 'referral-bus hospital-intake' },
    implementation: { description: 'Discharge referrals to community mental-health rehabilitation' },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'POST [base] (or [base]/Bundle) a transaction Bundle: Patient (ID number under urn:oid:2.16.156.10011.1.3 ' +
          'or identifier type NNCHN/NI), Encounter, Condition (ICD-10), ServiceRequest, optional RelatedPerson ' +
          '(guardian), Consent and discharge-assessment Observations. Without the assessment the referral awaits it; ' +
          'a later Bundle of Observations, or of a QuestionnaireResponse (linkIds risk-level, condition-status, ' +
          'rehab-needs, employment-interest, gaf, sdss, psp, adl), basedOn ServiceRequest/<referral id> completes it. ' +
          'The Bundle sent again for the same encounter adds the Consents its referral does not have (a consent ' +
          'signed after the discharge) and changes nothing else; the answer names both in an OperationOutcome.',
        security: { description: 'Each hospital calls with its X-API-Key header.' },
        interaction: [{ code: 'transaction' }],
      },
    ],
  };
}
