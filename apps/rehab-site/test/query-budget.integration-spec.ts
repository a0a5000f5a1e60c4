import { SERVICES } from '@app/contracts';
import { QueryRecorder, RecordedStatement, waitFor } from '@app/testing';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

/** Referrals driven through referral.registered while recording. */
const REFERRALS = 40;

/**
 * Statements rehab-site's handler may send inside its transaction per routed referral, transaction control
 * (START, the RLS set_config, COMMIT: libs/persistence's, and shared with the relay's transactions) not counted.
 * Measured 5: inbox claim, insert (answering the row), pick + reserve + assign, one outbox insert for both events,
 * audit. Before folding it was 11 (a re-read FOR UPDATE, candidates, reserve, assign, a site read and a webhook
 * read as separate statements, and one outbox insert per event).
 */
const HANDLER_BUDGET_PER_REFERRAL = 4;

/** Transaction control: counted by libs/persistence's own budget, not the handler's. */
const TRANSACTION_CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SELECT set_config)/;

/** Statements of the outbox relay and the pollers (they run on their own schedule, not per handled event). */
const BACKGROUND =
  /^(SELECT .* FROM \S+\.outbox|UPDATE \S+\.outbox|DELETE FROM \S+\.outbox|SELECT .* FROM \S+\.webhook_delivery|SELECT referral_id FROM \S+\.referral WHERE status = 'assigned' AND answer_due_at)/;

describe('rehab-site round trips on referral.registered', () => {
  let world: RehabSiteHarness;
  const recorder = new QueryRecorder();

  beforeAll(async () => {
    world = await startRehabSiteHarness({
      sweepIntervalMs: 3_600_000,
      webhooks: { pollIntervalMs: 60_000, maxAttempts: 10, backoffMs: 2000 },
    });
    await world.createSite({
      id: 'qb-station',
      level: 'community-station',
      areaCodes: [DIVISIONS.committee],
      capacity: 1000,
    });
    await world.createSite({ id: 'qb-street', level: 'street-site', areaCodes: [DIVISIONS.township] });
    await world.createSite({ id: 'qb-centre', level: 'county-centre', areaCodes: [DIVISIONS.county] });
    // Warm-up: the division directory and the pool's connections.
    const warm = await world.register();
    await waitFor(async () => (await world.assignments(warm)).length === 1, { message: 'warm-up assigned' });
  });

  afterAll(async () => {
    recorder.stop();
    await world?.stop();
  });

  it(`should route a referral in at most ${HANDLER_BUDGET_PER_REFERRAL} statements`, async () => {
    recorder.start();
    const ids: string[] = [];
    for (let i = 0; i < REFERRALS; i++) ids.push(await world.register({ needs: ['day-care'] }));
    await waitFor(
      async () =>
        (await world.db.count(
          `SELECT count(*) FROM ${world.schema}.referral WHERE referral_id = ANY($1) AND status = 'assigned'`,
          [ids],
        )) === REFERRALS,
      { timeoutMs: 30_000, message: `${REFERRALS} assigned` },
    );
    const statements = recorder.stop();

    const app = statements.filter(
      (s: RecordedStatement) =>
        s.application === SERVICES.rehabSite && !BACKGROUND.test(s.text) && !TRANSACTION_CONTROL.test(s.text),
    );
    const perReferral = app.length / REFERRALS;
    if (perReferral > HANDLER_BUDGET_PER_REFERRAL) {
      throw new Error(
        `${perReferral.toFixed(2)} statements per referral (budget ${HANDLER_BUDGET_PER_REFERRAL}):\n` +
          QueryRecorder.summary(app),
      );
    }
    expect(perReferral).toBeLessThanOrEqual(HANDLER_BUDGET_PER_REFERRAL);
    // Every referral took the station's place: nothing was skipped to save a statement.
    expect(new Set(await Promise.all(ids.map(async (id) => (await world.assignments(id))[0])))).toEqual(
      new Set(['qb-station']),
    );
  });
});
