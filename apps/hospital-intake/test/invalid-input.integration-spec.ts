import fc from 'fast-check';
import { adtA03, discharge, fhirBundle, idNumberFor, withBadChecksum } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

type Problem = { code: string; errors?: { pointer: string; code?: string }[] };

const base = () => discharge();
const withPatient = (patch: Record<string, unknown>) => {
  const body = base();
  return { ...body, patient: { ...(body.patient as object), ...patch } };
};
const withAssessment = (patch: Record<string, unknown>) => {
  const body = base();
  return { ...body, assessment: { ...(body.assessment as object), ...patch } };
};
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

interface Case {
  name: string;
  body: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** The per-field reason expected among errors[] (pointer + code), when there is one. */
  field?: { pointer: string; code?: string };
}

const CASES: Case[] = [
  {
    name: 'bad ID number checksum',
    body: withPatient({ idNumber: withBadChecksum(idNumberFor('1986-05-14')) }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/patient/idNumber', code: 'ID_NUMBER_CHECKSUM' },
  },
  {
    name: 'ID number of the wrong shape',
    body: withPatient({ idNumber: '61090219860514' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/patient/idNumber' },
  },
  {
    name: 'unknown division',
    body: withPatient({ residenceDivisionCode: '610902999999' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/patient/residenceDivisionCode', code: 'UNKNOWN_DIVISION' },
  },
  {
    name: 'future discharge date',
    body: { ...base(), dischargedAt: inDays(2) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/dischargedAt', code: 'DISCHARGE_IN_FUTURE' },
  },
  {
    name: 'admission after discharge',
    body: { ...base(), admittedAt: inDays(-1), dischargedAt: inDays(-2) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/admittedAt', code: 'ADMISSION_AFTER_DISCHARGE' },
  },
  {
    name: 'implausible birth date',
    body: withPatient({ birthDate: '1850-01-01', idNumber: idNumberFor('1850-01-01') }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/patient/birthDate', code: 'BIRTH_DATE_IMPLAUSIBLE' },
  },
  {
    name: 'birth date not matching the ID number',
    body: withPatient({ birthDate: '1986-05-15' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/patient/birthDate', code: 'BIRTH_DATE_MISMATCH' },
  },
  {
    name: 'malformed ICD-10 code',
    body: { ...base(), diagnoses: [{ code: 'F2O.0' }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/diagnoses/0/code', code: 'ICD10_FORMAT' },
  },
  {
    name: 'no F diagnosis',
    body: { ...base(), diagnoses: [{ code: 'I10' }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/diagnoses', code: 'NO_MENTAL_DISORDER_DIAGNOSIS' },
  },
  {
    name: 'risk level 6',
    body: withAssessment({ riskLevel: 6 }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/assessment/riskLevel' },
  },
  {
    name: 'lacks capacity without guardian',
    body: withPatient({ lacksCapacity: true }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/patient/guardian', code: 'GUARDIAN_REQUIRED' },
  },
  {
    name: 'unknown top-level field',
    body: { ...base(), ward: '3A' },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/ward' },
  },
  {
    name: 'unknown nested field',
    body: withPatient({ ethnicity: 'han' }),
    status: 400,
    code: 'VALIDATION_FAILED',
    field: { pointer: '#/patient/ethnicity' },
  },
  {
    name: 'oversized body',
    body: { ...base(), padding: 'x'.repeat(300 * 1024) },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'wrong content type',
    body: JSON.stringify(base()),
    headers: { 'content-type': 'text/plain' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'malformed JSON',
    body: '{"encounterId": ',
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'over-long Idempotency-Key',
    body: base(),
    headers: { 'idempotency-key': 'k'.repeat(300) },
    status: 400,
    code: 'IDEMPOTENCY_KEY_INVALID',
  },
];

describe('hospital-intake: invalid discharges', () => {
  let w: HospitalIntakeHarness;
  const totals = async () => {
    const counts: number[] = [];
    for (const table of ['referral', 'discharge_assessment', 'idempotency_key', 'outbox', 'held_discharge'])
      counts.push(await w.count(table));
    return counts;
  };

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
  });

  afterAll(async () => {
    await w?.close();
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s → 4xx with a stable code and no rows', async (_, c) => {
    const before = await totals();
    const answer = await w.send('/v1/discharges', c.body, c.headers);

    expect(answer.status).toBe(c.status);
    expect(answer.contentType).toContain('application/problem+json');
    const problem = answer.body as Problem;
    expect(problem.code).toBe(c.code);
    if (c.field) expect(problem.errors).toContainEqual(expect.objectContaining(c.field));
    expect(await totals()).toEqual(before);
  });

  it('should still accept the valid body the cases were derived from (the table is not vacuous)', async () => {
    expect((await w.send('/v1/discharges', base())).status).toBe(201);
  });

  it('should never answer 5xx or store anything for random bodies', async () => {
    const before = await totals();
    const valid = base();
    const mutated = fc.oneof(
      fc.anything(),
      fc.dictionary(fc.constantFrom(...Object.keys(valid), 'extra'), fc.anything()),
      fc
        .record({
          field: fc.constantFrom(
            'patient',
            'assessment',
            'diagnoses',
            'consents',
            'dischargedAt',
            'admittedAt',
          ),
          value: fc.anything(),
        })
        .map(({ field, value }) => ({ ...valid, encounterId: undefined, [field]: value })),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async (body) => {
        const answer = await w.send('/v1/discharges', body === undefined ? 'null' : JSON.stringify(body));
        return answer.status >= 400 && answer.status < 500;
      }),
      { numRuns: 120 },
    );
    expect(await totals()).toEqual(before);
  });

  it('should never answer 5xx or store anything for mangled FHIR Bundles', async () => {
    const before = await totals();
    const valid = fhirBundle();
    const entries = valid.entry as { resource: Record<string, unknown> }[];
    // Replace one element of one resource by anything (wrong types, nulls, nested junk), and drop the encounter id.
    const mangled = fc
      .record({
        entry: fc.nat({ max: entries.length - 1 }),
        field: fc.constantFrom(
          'identifier',
          'name',
          'address',
          'period',
          'code',
          'telecom',
          'valueInteger',
          'relationship',
          'performer',
          'extension',
          'orderDetail',
          'category',
        ),
        value: fc.anything(),
        dropEncounterId: fc.boolean(),
      })
      .map(({ entry, field, value, dropEncounterId }) => ({
        ...valid,
        entry: entries.map((e, i) => {
          const resource = { ...e.resource, ...(i === entry ? { [field]: value } : {}) };
          if (dropEncounterId && resource.resourceType === 'Encounter') delete resource.identifier;
          if (resource.resourceType === 'Encounter') resource.period = { start: 'not a date', end: 'x' };
          return { ...e, resource };
        }),
      }));
    const anyJson = fc.oneof(
      fc.anything(),
      fc.record({
        resourceType: fc.constant('Bundle'),
        type: fc.constantFrom('transaction', 'message'),
        entry: fc.anything(),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(mangled, anyJson), async (body) => {
        const answer = await w.send('/v1/fhir/Bundle', JSON.stringify(body) ?? 'null', {
          'content-type': 'application/fhir+json',
        });
        return (
          answer.status >= 400 &&
          answer.status < 500 &&
          // OperationOutcome, except for bodies the platform's JSON parser refuses first (problem+json)
          ((answer.body as { resourceType?: string }).resourceType === 'OperationOutcome' ||
            answer.contentType.includes('application/problem+json'))
        );
      }),
      { numRuns: 150 },
    );
    expect(await totals()).toEqual(before);
  });

  it('should never answer 5xx or store anything for mangled HL7v2 messages', async () => {
    const before = await totals();
    // A bad checksum alone is held now (registration data); without any DG1 the discharge itself is incomplete,
    // so no variant may be accepted or held; the mutations probe the parser.
    const lines = adtA03({ idNumber: withBadChecksum(idNumberFor('1992-08-20')) })
      .split('\r')
      .filter((l) => !l.startsWith('DG1|'));
    const mangled = fc
      .record({
        line: fc.nat({ max: lines.length - 1 }),
        junk: fc.string({ unit: 'binary', maxLength: 60 }),
        cut: fc.nat({ max: 80 }),
      })
      .map(({ line, junk, cut }) =>
        lines.map((l, i) => (i === line && i !== 2 ? l.slice(0, cut) + junk : l)).join('\r'),
      );
    await fc.assert(
      fc.asyncProperty(fc.oneof(mangled, fc.string({ unit: 'binary', maxLength: 200 })), async (text) => {
        const answer = await w.send('/v1/hl7/v2', text, { 'content-type': 'x-application/hl7-v2+er7' });
        return answer.status >= 400 && answer.status < 500;
      }),
      { numRuns: 150 },
    );
    expect(await totals()).toEqual(before);
  });
});
