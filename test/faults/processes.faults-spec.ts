import { SERVICES, ServiceName } from '@app/contracts';
import { waitFor } from '@app/testing';
import { FaultWorld } from './support/world';

/**
 * SIGKILL of each pipeline app (hospital-intake, registration, rehab-site, separate processes on the shared
 * Postgres and NATS, own schemas and bus namespace) three times while referrals flow, restarting it each time.
 * Each app is its own scenario with its own unique referrals; it fails if one is lost or doubled.
 */
describe('faults: app processes killed', () => {
  let world: FaultWorld;

  beforeAll(async () => {
    world = await FaultWorld.start();
  }, 240_000);

  afterAll(async () => {
    await world?.dispose();
  });

  const KILLS = 3;

  it.each([SERVICES.hospitalIntake, SERVICES.registration, SERVICES.rehabSite] as ServiceName[])(
    'should lose and double nothing when %s is SIGKILLed 3 times mid-stream and restarted',
    async (service) => {
      const startedAt = Date.now();
      const count = 60;
      const app = world.fleet.app(service);
      const load = world.load(count, { concurrency: 3, pacingMs: 100 });
      const restartMs: number[] = [];
      for (let k = 1; k <= KILLS; k++) {
        // Mid-stream: discharges are still arriving (or queued for this app), and the app has stored a few
        // referrals since it last (re)started, so it is working through its stream when it dies.
        await load.reached(Math.floor((count * k) / (KILLS + 1)));
        const since = await world.stored(service);
        await waitFor(async () => (await world.stored(service)) >= since + 3, {
          timeoutMs: 10_000,
          intervalMs: 25,
        }).catch(() => undefined);
        const pid = app.pid;
        await app.kill('SIGKILL');
        const t = Date.now();
        await app.restart();
        restartMs.push(Date.now() - t);
        expect(app.pid).not.toBe(pid);
      }
      await world.verify(load, {
        scenario: `1 kill ${service}`,
        fault: `SIGKILL ${service} 3 times mid-stream (from 25/50/75 % of the discharges sent), restart after each`,
        injected: KILLS,
        notes: `restart to ready ${restartMs.map((ms) => (ms / 1000).toFixed(1)).join('/')} s`,
        startedAt,
      });
    },
  );
});
