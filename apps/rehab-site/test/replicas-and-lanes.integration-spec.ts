import { EVENTS } from '@app/contracts';
import { ServiceUnderTest, startService, waitFor } from '@app/testing';
import { AppModule } from '../src/app.module';
import { DATABASE } from '../src/database';
import { DIVISIONS, RehabSiteHarness, startRehabSiteHarness } from './harness';

/** Lanes per replica (REPLICA_SPEC_LANES=1 gives the one-lane figure to compare). */
const LANES = Number(process.env.REPLICA_SPEC_LANES ?? 4);
const REFERRALS = 2000;
/** Street sites of one township: routing spreads referrals over them by free places, so a batch locks several. */
const SITES = ['ss-a', 'ss-b', 'ss-c', 'ss-d', 'ss-e'];
const CAPACITY = 450; // 5 × 450 = 2,250 ≥ 2,000: nobody goes to manual placement.

/**
 * Issue #22: two rehab-site replicas on one schema and bus namespace, each with 4 consumer lanes, route 2,000
 * referrals over five contended site rows. Places are taken at commit in site-id order (DeferredPlaces), so no
 * batch waits on another's site lock in the opposite order: no deadlock, every referral assigned exactly once,
 * each site's `reserved` equal to the referrals it holds.
 */
describe('rehab-site with 2 replicas × 4 lanes routing 2,000 referrals over contended sites', () => {
  let world: RehabSiteHarness;
  let second: ServiceUnderTest;

  beforeAll(async () => {
    world = await startRehabSiteHarness({}, LANES, { logLevel: 'debug' });
    second = await startService({
      register: (o) => AppModule.register(o, { sweepIntervalMs: 1000 }),
      database: DATABASE,
      clock: world.clock,
      namespace: world.service.namespace,
      schema: world.service.schema,
      config: { consumerLanes: LANES, outboxPollIntervalMs: 100, logLevel: 'debug' },
    });
    for (const id of SITES) {
      await world.createSite({
        id,
        level: 'street-site',
        areaCodes: [DIVISIONS.township],
        capacity: CAPACITY,
      });
    }
  }, 120_000);

  afterAll(async () => {
    await second?.close();
    await world?.stop();
  }, 60_000);

  it('should assign every referral exactly once, keep the counters equal to the assignments and never deadlock', async () => {
    const started = Date.now();
    const ids: string[] = [];
    // Published as registration would, in waves so both replicas' lanes get full batches.
    for (let wave = 0; wave < REFERRALS / 100; wave++) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            world.register({
              needs: ['day-care'],
              residenceDivisionCode: i % 2 ? DIVISIONS.committee : DIVISIONS.otherCommittee,
            }),
          ),
        )),
      );
    }

    const published = (Date.now() - started) / 1000;
    const count = (sql: string): Promise<number> => world.db.count(sql);
    await waitFor(
      async () =>
        (await count(`SELECT count(*) FROM ${world.schema}.referral WHERE status = 'assigned'`)) ===
        REFERRALS,
      { timeoutMs: 150_000, intervalMs: 500, message: `${REFERRALS} referrals assigned` },
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `${REFERRALS} referrals, 2 replicas × ${LANES} lanes: ${seconds.toFixed(1)} s, ${(REFERRALS / seconds).toFixed(0)}/s (publishing took ${published.toFixed(1)} s)`,
    );

    // Nothing lost or doubled: each referral once, with one referral.assigned.
    expect(await count(`SELECT count(*) FROM ${world.schema}.referral`)).toBe(REFERRALS);
    const assigned = await world.db.query<{ ordering_key: string; n: number }>(
      `SELECT ordering_key, count(*)::int AS n FROM ${world.schema}.outbox WHERE subject LIKE $1
        GROUP BY ordering_key`,
      [`${EVENTS.referralAssigned.subject}%`],
    );
    expect(assigned).toHaveLength(REFERRALS);
    expect(assigned.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(assigned.map((r) => r.ordering_key))).toEqual(new Set(ids));

    // Counters equal to assignments, never above capacity, and every site was contended.
    const sites = await world.db.query<{ id: string; reserved: number; capacity: number; held: number }>(
      `SELECT s.id, s.reserved, s.capacity,
              (SELECT count(*)::int FROM ${world.schema}.referral r WHERE r.site_id = s.id AND r.holds_place) AS held
         FROM ${world.schema}.site s ORDER BY s.id`,
    );
    expect(sites.map((s) => s.id)).toEqual(SITES);
    for (const site of sites) {
      expect(site.reserved).toBe(site.held);
      expect(site.reserved).toBeLessThanOrEqual(site.capacity);
      expect(site.reserved).toBeGreaterThan(0);
    }
    expect(sites.reduce((sum, s) => sum + s.reserved, 0)).toBe(REFERRALS);

    // Both replicas did work, nothing was dead-lettered, and no deadlock reached either replica's logs.
    expect(await count(`SELECT count(*) FROM ${world.schema}.dead_letter`)).toBe(0);
    const logs = [...world.service.logs.lines, ...second.logs.lines];
    expect(logs.filter((line) => /40P01|deadlock/i.test(line))).toEqual([]);
  }, 240_000);
});
