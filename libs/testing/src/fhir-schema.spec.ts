import { expectValidFhir, fhirSchemaProblem } from './fhir-schema';

describe('FHIR R4 schema check for test answers', () => {
  const outcome = {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'invalid', diagnostics: 'x', expression: ['Bundle.entry[0]'] }],
  };

  it('should accept a valid resource, parsed or as the answer text, with the R4 technical correction 4.0.1', () => {
    expect(fhirSchemaProblem(outcome)).toBeUndefined();
    expect(fhirSchemaProblem(JSON.stringify(outcome))).toBeUndefined();
    expect(
      fhirSchemaProblem({
        resourceType: 'CapabilityStatement',
        status: 'active',
        date: '2026-11-20',
        kind: 'instance',
        fhirVersion: '4.0.1',
        format: ['json'],
      }),
    ).toBeUndefined();
  });

  it('should name what is wrong with an invalid resource, problem+json and text that is not JSON', () => {
    expect(fhirSchemaProblem({ ...outcome, issue: [{ severity: 'fatal-ish', code: 'invalid' }] })).toMatch(
      /not valid against the FHIR R4 schema/,
    );
    expect(fhirSchemaProblem({ type: 'about:blank', status: 400, code: 'X' })).toMatch(/not a FHIR resource/);
    expect(fhirSchemaProblem('MSA|AE|1')).toMatch(/not JSON/);
    expect(() => expectValidFhir({ resourceType: 'Bundle', type: 'nonsense' }, 'POST /fhir')).toThrow(
      /^POST \/fhir: not valid/,
    );
  });
});
