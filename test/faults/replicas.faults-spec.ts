import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { EVENTS, SERVICES, ServiceName } from '@app/contracts';
import { FleetApp, LocalPostgres, opsHeaders, waitFor } from '@app/testing';
import { Bus } from './support/bus';
import { PIPELINE } from './support/checker';
import { FaultWorld } from './support/world';

const REPLICAS = 2;
const LANES = 4;
const REFERRALS = 2000;
/** Concurrent posters, spread worker by worker over both hospital-intake replicas. */
const POSTERS = 8;
/** Both sources of a deadlock report: the apps' logs (error code 40P01, "deadlock detected") and Postgres's. */
const DEADLOCK = /deadlock|40P01/i;

/** Messages a process's consumers acknowledged, from its own /metrics. */
async function acked(app: FleetApp): Promise<number> {
  const response = await fetch(`${app.url}/metrics`, { headers: await opsHeaders('ops-viewer') });
  if (response.status !== 200) throw new Error(`${app.label} /metrics answered ${response.status}`);
  return (await response.text())
    .split('\n')
    .filter((l) => l.startsWith('referral_events_consumed_total') && l.includes('outcome="ack"'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/**
 * Issue #22: 2 processes of each pipeline app (hospital-intake, registration, rehab-site) on one schema per app
 * and one bus namespace, CONSUMER_LANES=4 in each, take 2,000 discharges posted concurrently over both intake
 * replicas. Every referral must be assigned exactly once (the one checker, plus one `referral.assigned` per
 * referral in rehab-site's outbox and one `referral.registered` / `referral.assigned` each on the stream), and
 * no deadlock may appear in any replica's log (LOG_LEVEL=debug, so even a batch that was rolled back and
 * retried split shows) nor in Postgres's own log. A private Postgres (max_connections 200): 6 processes with
 * 4 lanes per consumer may open more connections than the shared server's 100 allow next to other tests.
 * employment-referral and ops-monitor are left out: neither is on the discharge → assigned path.
 */
describe('faults: 2 replicas of every pipeline app × 4 lanes', () => {
  let pg: LocalPostgres;
  let world: FaultWorld;

  beforeAll(async () => {
    pg = await LocalPostgres.start();
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE referral_bus_replicas');
    await admin.end();
    world = await FaultWorld.start({
      databaseUrl: pg.url('referral_bus_replicas'),
      replicas: REPLICAS,
      env: { CONSUMER_LANES: String(LANES), LOG_LEVEL: 'debug' },
    });
    // Enough places that nobody goes to manual placement for want of one; the seeded site rows stay the
    // contended ones (every assignment takes a place on one of them).
    const db = new Client({ connectionString: world.fleet.databaseUrl });
    await db.connect();
    try {
      await db.query(
        `UPDATE "${world.fleet.app(SERVICES.rehabSite).schema}".site SET capacity = GREATEST(capacity, $1)`,
        [REFERRALS],
      );
    } finally {
      await db.end();
    }
  }, 600_000);

  afterAll(async () => {
    // Postgres's log (each deadlock with the statements of the processes in it) stays with the apps' logs.
    if (pg && world) copyFileSync(join(pg.dataDir, 'server.log'), join(world.fleet.logDir, 'postgres.log'));
    await world?.dispose();
    await pg?.stop();
  }, 120_000);

  it('should assign 2,000 referrals exactly once with no deadlock in any replica or in Postgres', async () => {
    const startedAt = Date.now();
    const intakes = world.fleet.replicasOf(SERVICES.hospitalIntake);
    expect(intakes).toHaveLength(REPLICAS);
    const load = world.load(REFERRALS, { concurrency: POSTERS, deadlineMs: 900_000 });
    await load.done;
    const postedSeconds = (Date.now() - startedAt) / 1000;
    const rehab = `"${world.fleet.app(SERVICES.rehabSite).schema}"`;
    const db = new Client({ connectionString: world.fleet.databaseUrl });
    await db.connect();
    try {
      await waitFor(
        async () =>
          Number(
            (
              await db.query<{ n: string }>(
                `SELECT count(*) AS n FROM ${rehab}.referral WHERE status = 'assigned'`,
              )
            ).rows[0].n,
          ) >= load.acknowledgedCount,
        { timeoutMs: 600_000, intervalMs: 500, message: `${REFERRALS} referrals assigned` },
      );
      const seconds = (Date.now() - startedAt) / 1000;
      const rate = `${REFERRALS} referrals, ${REPLICAS} replicas × ${LANES} lanes, ${POSTERS} posters: ${seconds.toFixed(1)} s to the last assignment, ${(REFERRALS / seconds).toFixed(1)}/s (posting ${postedSeconds.toFixed(1)} s)`;
      console.log(rate);

      await world.verify(
        load,
        {
          scenario: '12 replicas and lanes',
          fault: `${REPLICAS} processes of each pipeline app, CONSUMER_LANES=${LANES}, ${REFERRALS} discharges by ${POSTERS} posters over both intakes`,
          injected: 0,
          notes: rate,
          startedAt,
        },
        {},
        300_000,
      );

      // Exactly one assignment per referral: rehab-site's outbox and the stream.
      const ids = load.acknowledged();
      expect(ids).toHaveLength(REFERRALS);
      const outbox = await db.query<{ id: string; n: number }>(
        `SELECT ordering_key AS id, count(*)::int AS n FROM ${rehab}.outbox WHERE subject LIKE $1 GROUP BY 1`,
        [`${EVENTS.referralAssigned.subject}%`],
      );
      expect(outbox.rows.filter((r) => r.n !== 1)).toEqual([]);
      expect(new Set(outbox.rows.map((r) => r.id))).toEqual(new Set(ids));
      const bus = await Bus.connect(world.fleet.natsUrl, world.fleet.namespace);
      try {
        const mine = new Set(ids);
        const seen = new Map<string, number>();
        for (const m of await bus.readStream('REFERRAL')) {
          if (
            m.subject !== EVENTS.referralRegistered.subject &&
            m.subject !== EVENTS.referralAssigned.subject
          )
            continue;
          if (!mine.has(m.event?.subject ?? '')) continue;
          const key = `${m.subject} ${m.event!.subject}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
        expect([...seen].filter(([, n]) => n !== 1)).toEqual([]);
        expect(seen.size).toBe(2 * REFERRALS);
      } finally {
        await bus.close();
      }
    } finally {
      await db.end();
    }

    // Every replica of the consuming apps took a share of the work.
    for (const service of [
      SERVICES.registration,
      SERVICES.rehabSite,
      SERVICES.hospitalIntake,
    ] as ServiceName[]) {
      for (const replica of world.fleet.replicasOf(service)) {
        expect({ replica: replica.label, acked: (await acked(replica)) > 0 }).toEqual({
          replica: replica.label,
          acked: true,
        });
      }
    }

    // No deadlock anywhere: each replica's own log file (written, so the check reads something) and Postgres's.
    const processes = PIPELINE.flatMap((s) => world.fleet.replicasOf(s));
    expect(processes).toHaveLength(PIPELINE.length * REPLICAS);
    for (const app of processes) {
      const text = app.logText();
      expect({ log: app.logPath, written: text.length > 0 }).toEqual({ log: app.logPath, written: true });
      expect({ log: app.logPath, deadlocks: text.split('\n').filter((l) => DEADLOCK.test(l)) }).toEqual({
        log: app.logPath,
        deadlocks: [],
      });
    }
    // Postgres logs each one as ERROR: deadlock detected, with the waiting processes' statements after it.
    const postgresLog = readFileSync(join(pg.dataDir, 'server.log'), 'utf8').split('\n');
    const deadlocks = postgresLog.flatMap((l, i) =>
      DEADLOCK.test(l) ? [postgresLog.slice(i, i + 8).join('\n')] : [],
    );
    expect(deadlocks).toEqual([]);
  }, 1_200_000);
});
