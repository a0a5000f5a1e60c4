import { schemaFingerprint, SHARED_NATS_URL, waitFor, waitForQuietBus } from '@app/testing';
import { assertRandomBodiesAreHarmless } from '@app/testing/fuzz';
import { DIVISIONS, EmploymentHarness, startEmploymentHarness } from './harness';

interface Endpoint {
  method: 'POST' | 'PATCH';
  path: string;
  /** The provider's API key, or the ops-admin JWT for the directory. */
  admin: boolean;
  /** `{}`: the endpoint takes no body. */
  valid: Record<string, unknown>;
}

/**
 * Fuzzed request bodies for every employment-referral POST and PATCH: the provider directory (and its key
 * rotation, which takes no body) and a provider's actions on its referrals, each referral in a state where its
 * action is allowed. Never a 5xx, and a refused request (4xx) leaves every table exactly as it was. An unknown
 * field is refused (400) everywhere. The harness's clock stands still, so no sweep changes a table meanwhile.
 */
describe('employment-referral: fuzzed request bodies', () => {
  let world: EmploymentHarness;
  let providerKey: string;
  /** One referral per action, in a state that allows it. */
  const referrals: Record<string, string> = {};
  const today = () => world.clock.now().toISOString().slice(0, 10);

  const send = async (e: Endpoint, body: unknown) => {
    const response = await fetch(`${world.service.url}${e.path}`, {
      method: e.method,
      headers: {
        'content-type': 'application/json',
        ...(e.admin ? { authorization: `Bearer ${world.adminToken}` } : { 'x-api-key': providerKey }),
      },
      body: body === undefined ? 'null' : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: { code?: string } = {};
    try {
      parsed = JSON.parse(text) as { code?: string };
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed };
  };

  const base = (action: string) => `/v1/providers/fz-provider/referrals/${referrals[action]}/${action}`;
  const act = async (action: string, referral: string, body: Record<string, unknown> = {}) => {
    const path = `/v1/providers/fz-provider/referrals/${referral}/${action}`;
    const answer = await world.http('POST', path, providerKey, body);
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
  };

  beforeAll(async () => {
    // Retention checks due a few days ago are not overdue yet: no sweep raises anything during the fuzz.
    world = await startEmploymentHarness({ retentionGraceDays: 30 });
    providerKey = await world.createProvider({
      id: 'fz-provider',
      areaCodes: [DIVISIONS.county],
      programmes: ['supported-employment', 'vocational-training', 'sheltered-employment'],
      capacity: 100,
    });
    await world.createProvider({
      id: 'fz-other',
      areaCodes: [DIVISIONS.otherCounty],
      programmes: ['sheltered-employment'],
    });
    for (const action of [
      'accept',
      'decline',
      'employer-contacts',
      'training',
      'placement',
      'retention-checks',
      'end',
    ]) {
      referrals[action] = await world.confirmReadiness();
    }
    for (const id of Object.values(referrals)) {
      await waitFor(async () => (await world.status(id)) === 'referred', { message: `${id} referred` });
    }
    for (const action of ['employer-contacts', 'training', 'placement', 'retention-checks', 'end']) {
      await act('accept', referrals[action]);
    }
    // Placed in a job that started five weeks ago: the 1-month check is due.
    const started = new Date(world.clock.now().getTime() - 35 * 86_400_000).toISOString().slice(0, 10);
    await act('placement', referrals['retention-checks'], {
      placementType: 'supported',
      employerName: '安康市汉滨区某食品有限公司',
      startDate: started,
    });
    // The relay, and consumers of what it publishes, work in the background: let them finish so the
    // fingerprints only see our requests.
    await waitForQuietBus(world.db, world.service, SHARED_NATS_URL);
  });

  afterAll(async () => {
    await world?.stop();
  });

  const endpoints = (): Endpoint[] => [
    {
      method: 'POST',
      path: '/v1/admin/providers',
      admin: true,
      valid: {
        id: 'fz-new',
        name: '汉滨区就业服务中心',
        areaCodes: [DIVISIONS.township],
        programmes: ['supported-employment'],
        capacity: 5,
        accepting: true,
      },
    },
    {
      method: 'PATCH',
      path: '/v1/admin/providers/fz-other',
      admin: true,
      valid: {
        name: '汉阴县就业服务中心',
        programmes: ['sheltered-employment'],
        capacity: 3,
        accepting: true,
      },
    },
    // Takes no body: `{}` passes (a new key for the provider the fuzz does not call as), anything else is
    // BODY_NOT_ALLOWED.
    { method: 'POST', path: '/v1/admin/providers/fz-other/api-key', admin: true, valid: {} },
    { method: 'POST', path: base('accept'), admin: false, valid: { employmentSpecialist: 'es-07' } },
    {
      method: 'POST',
      path: base('decline'),
      admin: false,
      valid: { reasonCode: 'other', reasonText: '暂无合适岗位' },
    },
    { method: 'POST', path: base('employer-contacts'), admin: false, valid: { contactedOn: today() } },
    { method: 'POST', path: base('training'), admin: false, valid: { programme: 'vocational-training' } },
    {
      method: 'POST',
      path: base('placement'),
      admin: false,
      valid: { placementType: 'supported', employerName: '安康市某超市', startDate: today() },
    },
    { method: 'POST', path: base('retention-checks'), admin: false, valid: { month: 1, retained: true } },
    { method: 'POST', path: base('end'), admin: false, valid: { reason: 'patient-declined' } },
  ];

  it('should refuse an unknown field on every body (400) and store nothing', async () => {
    for (const e of endpoints()) {
      const before = await schemaFingerprint(world.db, world.service.schema);
      const answer = await send(e, { ...e.valid, isAdmin: true });
      expect({ path: e.path, status: answer.status, code: answer.body.code }).toEqual({
        path: e.path,
        status: 400,
        code: Object.keys(e.valid).length > 0 ? 'VALIDATION_FAILED' : 'BODY_NOT_ALLOWED',
      });
      expect(await schemaFingerprint(world.db, world.service.schema)).toEqual(before);
    }
  });

  it('should never answer 5xx, nor change anything when it refuses, for random bodies', async () => {
    await assertRandomBodiesAreHarmless({
      endpoints: endpoints(),
      fingerprint: () => schemaFingerprint(world.db, world.service.schema),
      send: async (e, body) => {
        const { status } = await send(e, body);
        if (status < 300) await waitForQuietBus(world.db, world.service, SHARED_NATS_URL);
        return status;
      },
    });
  });
});
