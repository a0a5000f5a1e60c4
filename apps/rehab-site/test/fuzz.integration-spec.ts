import { schemaFingerprint, waitFor } from '@app/testing';
import { assertRandomBodiesAreHarmless } from '@app/testing/fuzz';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

/**
 * Fuzzed request bodies for every rehab-site endpoint that takes one (site actions on an assigned referral and
 * directory administration): never a 5xx, and a refused request (4xx) leaves every table exactly as it was.
 */
describe('rehab-site: fuzzed request bodies', () => {
  let world: RehabSiteHarness;
  let siteKey: string;
  let referralId: string;
  const now = () => new Date().toISOString();

  beforeAll(async () => {
    world = await startRehabSiteHarness();
    siteKey = (
      await world.createSite({
        id: 'fz-station',
        level: 'community-station',
        areaCodes: [DIVISIONS.committee],
      })
    ).apiKey;
    await world.createSite({ id: 'fz-centre', level: 'county-centre', areaCodes: [DIVISIONS.county] });
    referralId = await world.register({ validConsents: [{ purpose: 'employment' }] });
    await waitFor(async () => (await world.assignments(referralId)).length === 1, { message: 'assigned' });
    // The relay marks rows sent in the background: let it finish so the fingerprints only see our requests.
    await waitFor(
      async () =>
        (await world.db.count(`SELECT count(*) FROM ${world.schema}.outbox WHERE published_at IS NULL`)) ===
        0,
      { message: 'outbox drained' },
    );
  });

  afterAll(async () => {
    await world?.stop();
  });

  const base = () => `/v1/sites/fz-station/referrals/${referralId}`;
  const endpoints = () =>
    [
      { method: 'POST', path: `${base()}/decline`, site: true, valid: { reasonCode: 'no-capacity' } },
      {
        method: 'POST',
        path: `${base()}/close`,
        site: true,
        valid: { outcome: 'recovered', followUp: { calledAt: now(), reached: 'patient' } },
      },
      { method: 'POST', path: `${base()}/relapse`, site: true, valid: { observedRiskLevel: 4 } },
      {
        method: 'POST',
        path: `${base()}/employment-readiness`,
        site: true,
        valid: { willing: true },
      },
      {
        method: 'POST',
        path: `${base()}/plan`,
        site: true,
        valid: { startsAt: now(), goals: ['daily living'], services: ['day-care'], reviewBy: now() },
      },
      {
        method: 'POST',
        path: `${base()}/sessions`,
        site: true,
        valid: { date: now(), type: 'day-care', durationMinutes: 60, staff: 'w1' },
      },
      {
        method: 'POST',
        path: `${base()}/assessments`,
        site: true,
        valid: { assessedAt: now(), riskLevel: 1, conditionStatus: 'stable' },
      },
      {
        method: 'POST',
        path: `${base()}/transfer`,
        site: true,
        valid: { toSiteId: 'fz-centre', reason: 'moved' },
      },
      {
        method: 'POST',
        path: '/v1/admin/sites',
        site: false,
        valid: {
          id: 'fz-new',
          name: 'fz-new',
          level: 'community-station',
          areaCodes: [DIVISIONS.committee],
          services: ['day-care'],
          capacity: 5,
        },
      },
      { method: 'PATCH', path: '/v1/admin/sites/fz-station', site: false, valid: { capacity: 12 } },
    ] as const;

  const send = async (method: string, path: string, site: boolean, body: unknown) => {
    const response = await fetch(`${world.service.url}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(site ? { 'x-api-key': siteKey } : { authorization: `Bearer ${world.adminToken}` }),
      },
      body: body === undefined ? 'null' : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text };
  };

  it('should refuse an unknown field on every body (400) and store nothing', async () => {
    for (const e of endpoints()) {
      const before = await schemaFingerprint(world.db, world.service.schema);
      const answer = await send(e.method, e.path, e.site, { ...e.valid, isAdmin: true });
      expect({ path: e.path, status: answer.status }).toEqual({ path: e.path, status: 400 });
      expect(await schemaFingerprint(world.db, world.service.schema)).toEqual(before);
    }
  });

  it('should never answer 5xx, nor change anything when it refuses, for random bodies', async () => {
    await assertRandomBodiesAreHarmless({
      endpoints: endpoints(),
      fingerprint: () => schemaFingerprint(world.db, world.service.schema),
      send: async (e, body) => (await send(e.method, e.path, e.site, body)).status,
    });
  });
});
