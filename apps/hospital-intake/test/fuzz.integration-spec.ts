import fc from 'fast-check';
import { EVENTS } from '@app/contracts';
import { ManualClock } from '@app/core';
import {
  expectValidFhir,
  opsHeaders,
  schemaFingerprint,
  SHARED_NATS_URL,
  waitFor,
  waitForQuietBus,
} from '@app/testing';
import { assertRandomBodiesAreHarmless } from '@app/testing/fuzz';
import { adtA03, discharge, fhirBundle, idNumberFor, RESIDENCE } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

const JSON_TYPE = 'application/json';
const FHIR_TYPE = 'application/fhir+json';
const HL7_TYPE = 'x-application/hl7-v2+er7';

interface Endpoint {
  method: 'POST' | 'PATCH' | 'PUT';
  path: string;
  /** A hospital's API key, or the ops-admin JWT for the registry. */
  admin: boolean;
  /** `{}`: the endpoint takes no body. */
  valid: Record<string, unknown>;
  contentType?: string;
}

/**
 * Fuzzed request bodies for every hospital-intake endpoint that takes a JSON body (discharges and their
 * assessment, green-case answers, held-discharge completion, referral cancellation, the ops registry), the
 * green-case admit that takes none, and the FHIR Bundle endpoint: never a 5xx, and a refused request (4xx) leaves
 * every table exactly as it was. An unknown field is refused (400) everywhere but FHIR. The clock stands still,
 * so no timer changes a table meanwhile.
 */
describe('hospital-intake: fuzzed request bodies', () => {
  const clock = new ManualClock(new Date());
  const hoursAgo = (h: number) => new Date(clock.now().getTime() - h * 3_600_000).toISOString();
  let w: HospitalIntakeHarness;
  let admin: { authorization: string };
  /** Awaiting its assessment. */
  let awaitingId: string;
  /** Assessed, not yet accepted by a site: cancellable. */
  let cancellableId: string;
  let heldId: string;
  /** Three cases offered to hospital A: to acknowledge, to decline, to admit. */
  let caseIds: string[];

  const send = async (e: Endpoint, body: unknown) => {
    const response = await fetch(`${w.service.url}${e.path}`, {
      method: e.method,
      headers: {
        'content-type': e.contentType ?? JSON_TYPE,
        ...(e.admin ? admin : { 'x-api-key': w.keyA }),
      },
      body: body === undefined ? 'null' : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (e.contentType === FHIR_TYPE) expectValidFhir(parsed, `${e.method} ${e.path} → ${response.status}`);
    return { status: response.status, body: parsed as { code?: string } };
  };

  const offerGreenCase = async (referralId: string) => {
    const caseId = await w.publishEvent(EVENTS.greenRelapseReported, 'rehab-site', {
      referralId,
      siteId: 'site-1',
      observedRiskLevel: 2,
      reportedAt: clock.now().toISOString(),
    });
    await waitFor(
      async () => {
        const response = await fetch(`${w.service.url}/v1/green-cases/${caseId}`, {
          headers: { 'x-api-key': w.keyA },
        });
        return (
          response.status === 200 && ((await response.json()) as { status: string }).status === 'offered'
        );
      },
      { message: `green case ${caseId} offered` },
    );
    return caseId;
  };

  beforeAll(async () => {
    admin = await opsHeaders('ops-admin');
    w = await startHospitalIntakeHarness(
      { assessmentSweepIntervalMs: 0, held: { alertAfterHours: 24, sweepIntervalMs: 0 } },
      clock,
    );
    const awaiting = await w.send('/v1/discharges', discharge({ assessment: undefined }));
    const assessed = await w.send('/v1/discharges', discharge());
    const forCases = [];
    for (let i = 0; i < 3; i++) forCases.push(await w.send('/v1/discharges', discharge()));
    expect([awaiting, assessed, ...forCases].map((a) => a.status)).toEqual([202, 201, 201, 201, 201]);
    awaitingId = (awaiting.body as { referralId: string }).referralId;
    cancellableId = (assessed.body as { referralId: string }).referralId;
    const held = await w.send('/v1/hl7/v2', adtA03({ withoutIdNumber: true, withoutResidence: true }), {
      'content-type': HL7_TYPE,
    });
    expect(held.status).toBe(202);
    heldId = /held ([0-9a-f-]{36})/.exec(held.text)![1];
    caseIds = [];
    for (const referral of forCases) {
      caseIds.push(await offerGreenCase((referral.body as { referralId: string }).referralId));
    }
    // The relay, and the service's consumers of its own events, work in the background: let them finish so the
    // fingerprints only see our requests.
    await waitForQuietBus(w.db, w.service, SHARED_NATS_URL);
  });

  afterAll(async () => {
    await w?.close();
  });

  const onCall = { name: '总值班', phone: '0915-0000000' };
  const endpoints = (): Endpoint[] => [
    { method: 'POST', path: '/v1/discharges', admin: false, valid: discharge() },
    {
      method: 'POST',
      path: `/v1/discharges/${awaitingId}/assessment`,
      admin: false,
      valid: {
        riskLevel: 1,
        conditionStatus: 'basically-stable',
        functionalScores: [{ instrument: 'gaf', score: 62 }],
        rehabNeeds: ['day-care'],
        employmentInterest: true,
        assessedAt: hoursAgo(1),
      },
    },
    {
      method: 'POST',
      path: `/v1/green-cases/${caseIds[0]}/acknowledge`,
      admin: false,
      valid: { acknowledgedBy: '精神科总值班' },
    },
    {
      method: 'POST',
      path: `/v1/green-cases/${caseIds[1]}/decline`,
      admin: false,
      valid: { reason: 'no-bed' },
    },
    // Takes no body: `{}` passes, anything else is BODY_NOT_ALLOWED.
    { method: 'POST', path: `/v1/green-cases/${caseIds[2]}/admit`, admin: false, valid: {} },
    {
      method: 'POST',
      path: `/v1/held-discharges/${heldId}/completion`,
      admin: false,
      valid: {
        patient: { idNumber: idNumberFor('1992-08-20'), residenceDivisionCode: RESIDENCE },
        consents: [],
      },
    },
    {
      method: 'POST',
      path: `/v1/referrals/${cancellableId}/cancellation`,
      admin: false,
      valid: { reasonCode: 'entered-in-error' },
    },
    {
      method: 'POST',
      path: '/v1/admin/hospitals',
      admin: true,
      valid: {
        id: `fz-${w.hospitalA}`,
        name: '测试医院 fuzz',
        level: 'secondary',
        countyDivisionCode: '610902',
        kind: 'psychiatric',
        onCall,
        hasPsychiatricWard: true,
        takesGreenCases: true,
      },
    },
    {
      method: 'PATCH',
      path: `/v1/admin/hospitals/${w.hospitalB}`,
      admin: true,
      valid: {
        name: '测试医院 B',
        level: 'tertiary',
        kind: 'psychiatric',
        onCall,
        hasPsychiatricWard: true,
        takesGreenCases: true,
        webhookUrl: null,
      },
    },
    {
      method: 'PUT',
      path: '/v1/admin/green-designations/610902',
      admin: true,
      valid: { hospitalIds: [w.hospitalB] },
    },
  ];

  it('should refuse an unknown field on every body (400) and store nothing', async () => {
    for (const e of endpoints()) {
      const before = await schemaFingerprint(w.db, w.service.schema);
      const answer = await send(e, { ...e.valid, isAdmin: true });
      expect({ path: e.path, status: answer.status, code: answer.body.code }).toEqual({
        path: e.path,
        status: 400,
        code: Object.keys(e.valid).length > 0 ? 'VALIDATION_FAILED' : 'BODY_NOT_ALLOWED',
      });
      expect(await schemaFingerprint(w.db, w.service.schema)).toEqual(before);
    }
  });

  it('should never answer 5xx, nor change anything when it refuses, for random bodies', async () => {
    const fhir: Endpoint = {
      method: 'POST',
      path: '/v1/fhir/Bundle',
      admin: false,
      valid: fhirBundle({ idNumber: idNumberFor('1979-11-02'), end: hoursAgo(1) }),
      contentType: FHIR_TYPE,
    };
    await assertRandomBodiesAreHarmless({
      endpoints: [...endpoints(), fhir],
      fingerprint: () => schemaFingerprint(w.db, w.service.schema),
      send: async (e, body) => {
        const { status } = await send(e, body);
        // An accepted request publishes events this service consumes itself (inbox, timeline).
        if (status < 300) await waitForQuietBus(w.db, w.service, SHARED_NATS_URL);
        return status;
      },
    });
  });

  it('should answer every mangled ADT^A03 with an ACK, never 5xx, and store nothing when it refuses', async () => {
    // What HIS interfaces get wrong: a field emptied or filled with junk (separators and escapes included), a
    // segment missing or repeated, a message cut short, or text that is no HL7 at all.
    const junk = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc
        .array(
          fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', '\x0b', '\x1c', '"', 'A', '0', '中', ' '),
          {
            maxLength: 30,
          },
        )
        .map((chars) => chars.join('')),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('field' as const), segment: fc.nat(15), field: fc.nat(50), value: junk }),
      fc.record({ kind: fc.constant('drop' as const), segment: fc.nat(15) }),
      fc.record({ kind: fc.constant('repeat' as const), segment: fc.nat(15) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(1500) }),
      fc.record({ kind: fc.constant('replace' as const), text: junk }),
    );
    type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
    const mangle = (message: string, mutations: Mutation[]): string => {
      let segments = message.split('\r');
      for (const m of mutations) {
        const at = (n: number) => n % Math.max(segments.length, 1);
        if (m.kind === 'field' && segments.length > 0) {
          const fields = segments[at(m.segment)].split('|');
          while (fields.length <= m.field) fields.push('');
          fields[Math.max(m.field, 1)] = m.value;
          segments[at(m.segment)] = fields.join('|');
        } else if (m.kind === 'drop') segments.splice(at(m.segment), 1);
        else if (m.kind === 'repeat' && segments.length > 0)
          segments.splice(at(m.segment), 0, segments[at(m.segment)]);
        else if (m.kind === 'cut') segments = segments.join('\r').slice(0, m.at).split('\r');
        else if (m.kind === 'replace') segments = [m.text];
      }
      return segments.join('\r');
    };
    const statuses: number[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const before = await schemaFingerprint(w.db, w.service.schema);
        const message = mangle(adtA03(), mutations);
        const answer = await w.send('/v1/hl7/v2', message, { 'content-type': HL7_TYPE });
        statuses.push(answer.status);
        expect({ message, status: answer.status < 500 }).toEqual({ message, status: true });
        // Whatever came in, the sender gets an HL7 ACK saying accepted, error or rejected.
        expect({ message, ack: /^MSH\|[\s\S]*\rMSA\|A[AER]\|/.test(answer.text) }).toEqual({
          message,
          ack: true,
        });
        if (answer.status >= 400) expect(await schemaFingerprint(w.db, w.service.schema)).toEqual(before);
        else await waitForQuietBus(w.db, w.service, SHARED_NATS_URL);
      }),
      { numRuns: 120 },
    );
    // Some mangled messages still carry a discharge, and most are refused: the property saw both.
    expect(statuses.filter((s) => s >= 400).length).toBeGreaterThan(30);
    expect(statuses.filter((s) => s < 300).length).toBeGreaterThan(5);
  });
});
