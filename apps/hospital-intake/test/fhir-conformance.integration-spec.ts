import { expectValidFhir } from '@app/testing';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

const FHIR = { 'content-type': 'application/fhir+json' };

type Outcome = { resourceType: string; issue: { code: string; details?: { text?: string } }[] };

describe('hospital-intake: FHIR conformance', () => {
  let w: HospitalIntakeHarness;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
  });

  afterAll(async () => {
    await w?.close();
  });

  const get = async (path: string) => {
    const response = await fetch(`${w.service.url}${path}`, { headers: { 'x-api-key': w.keyA } });
    const body = await response.json();
    expectValidFhir(body, `GET ${path} → ${response.status}`);
    return { status: response.status, body, contentType: response.headers.get('content-type') ?? '' };
  };

  it('should check answers against a schema that refuses what R4 refuses', () => {
    expect(() => expectValidFhir({ resourceType: 'OperationOutcome' }, 'no issue')).toThrow(/FHIR R4 schema/);
    expect(() => expectValidFhir({ resourceType: 'Bundle', type: 'nonsense' }, 'bad type')).toThrow(
      /FHIR R4 schema/,
    );
    expect(() =>
      expectValidFhir({ resourceType: 'Bundle', type: 'transaction-response' }, 'ok'),
    ).not.toThrow();
  });

  it('should describe itself with a CapabilityStatement at /fhir/metadata', async () => {
    const answer = await get('/v1/fhir/metadata');

    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('application/fhir+json');
    expect(answer.body).toMatchObject({
      resourceType: 'CapabilityStatement',
      fhirVersion: '4.0.1',
      rest: [{ mode: 'server', interaction: [{ code: 'transaction' }] }],
    });
  });

  it.each([
    ['invalid JSON', '/v1/fhir', '{"resourceType": "Bundle", ', 400, 'invalid'],
    ['a null body', '/v1/fhir', 'null', 400, 'invalid'],
    [
      'a body above the limit',
      '/v1/fhir',
      JSON.stringify({ resourceType: 'Bundle', pad: 'x'.repeat(300_000) }),
      413,
      'too-long',
    ],
    ['an unknown FHIR path', '/v1/fhir/Patient', '{}', 404, 'not-found'],
  ])('should answer %s with an OperationOutcome', async (_, path, body, status, code) => {
    const answer = await w.send(path, body, FHIR);

    expect(answer.status).toBe(status);
    expect(answer.contentType).toContain('application/fhir+json');
    expect((answer.body as Outcome).issue[0].code).toBe(code);
  });

  it('should answer an unknown FHIR read with an OperationOutcome', async () => {
    const answer = await get('/v1/fhir/Patient/123');

    expect(answer.status).toBe(404);
    expect((answer.body as Outcome).resourceType).toBe('OperationOutcome');
  });

  it('should keep problem+json outside the FHIR paths', async () => {
    const answer = await w.send('/v1/discharges', '{"broken": ', {});

    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
  });
});
