import { holdsFor, ServiceUnderTest, startService, waitFor } from '@app/testing';
import { AppModule } from '../src/app.module';
import { DATABASE } from '../src/database';
import { OpsMonitorHarness, startOpsMonitorHarness } from './harness';

/** Two replicas of ops-monitor on one schema and namespace, both sweeping every 20 ms on the same clock. */
describe('stuck-referral sweeper across replicas', () => {
  let h: OpsMonitorHarness;
  let second: ServiceUnderTest;

  beforeAll(async () => {
    h = await startOpsMonitorHarness({ stuckSweepIntervalMs: 20 });
    second = await startService({
      register: (o) => AppModule.register(o, { stuckSweepIntervalMs: 20, busPollIntervalMs: 100 }),
      database: DATABASE,
      schema: h.service.schema,
      namespace: h.service.namespace,
      clock: h.clock,
      config: { outboxPollIntervalMs: 50 },
    });
  });

  afterAll(async () => {
    await second?.close();
    await h?.stop();
  });

  it('should raise one alert per stuck referral, whichever replica sweeps', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(await h.journey(h.clock.now(), { assessed: 0.01, registered: 0.02 }));
    await waitFor(
      async () => {
        const [row] = await h.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM "${h.service.schema}".referral_summary WHERE state = 'registered'`,
        );
        return Number(row.n) === 5;
      },
      { message: 'five registered referrals' },
    );
    h.clock.advance(11 * 60_000);
    const alerts = async () =>
      (await h.http('GET', '/v1/alerts?code=STUCK_REFERRAL', h.viewer)).body.items as {
        referralId: string;
      }[];
    await waitFor(async () => (await alerts()).length === 5, { message: 'five stuck alerts' });
    await holdsFor(async () => (await alerts()).length === 5, 1000);
    expect((await alerts()).map((a) => a.referralId).sort()).toEqual([...ids].sort());
    const [published] = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "${h.service.schema}".outbox WHERE payload LIKE '%STUCK_REFERRAL%'`,
    );
    expect(Number(published.n)).toBe(5);
  });
});
