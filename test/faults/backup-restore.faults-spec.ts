import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { SERVICES } from '@app/contracts';
import { LocalNatsServer, LocalPostgres, postgresBinDir } from '@app/testing';
import { PIPELINE, problemsOf } from './support/checker';
import { recordScenario, rowOf } from './support/summary';
import { FaultWorld } from './support/world';

const run = promisify(execFile);
const REWIND_SCRIPT = join(__dirname, '..', '..', 'dist', 'scripts', 'restore-rewind.js');
/** How far before the backup's start the durables are rewound (covers handlers still running at backup time). */
const REWIND_MARGIN_MS = 30_000;

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

async function rows<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Backup and restore (docs/operations.md#backup-and-restore): `pg_dump -Fc` of the database while discharges
 * flow, more discharges after it, the apps stopped, the dump restored with `pg_restore` into a new database on
 * the same cluster, the durables rewound with `npm run restore:rewind` (the built script, as an operator runs
 * it) to before the backup, the apps started on the copy. The checker then finds every referral the copy
 * holds routed exactly once. A second copy started without the rewind shows what the rewind is for.
 */
describe('faults: backup under load, restore into a fresh database', () => {
  let nats: LocalNatsServer;
  let pg: LocalPostgres;
  let world: FaultWorld;
  const copies: FaultWorld[] = [];
  let dumpDir: string;

  beforeAll(async () => {
    [nats, pg] = await Promise.all([LocalNatsServer.start(), LocalPostgres.start()]);
    await rows(pg.url(), 'CREATE DATABASE referral_bus_live');
    dumpDir = mkdtempSync(join(tmpdir(), 'faults-backup-'));
    world = await FaultWorld.start({ natsUrl: nats.url, databaseUrl: pg.url('referral_bus_live') });
  }, 240_000);

  afterAll(async () => {
    for (const copy of copies) await copy.fleet.stop();
    await world?.fleet.stop();
    await nats?.stop();
    await pg?.stop();
    if (dumpDir) rmSync(dumpDir, { recursive: true, force: true });
  });

  const bin = (name: string) => join(postgresBinDir(), name);
  const restoreCopy = async (database: string, dump: string) => {
    await run(bin('createdb'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(pg.port),
      '-U',
      'postgres',
      '-T',
      'template0',
      database,
    ]);
    await run(bin('pg_restore'), ['--exit-on-error', '-d', pg.url(database), dump]);
    return pg.url(database);
  };

  it('should route every referral of the restored copy exactly once after the durables are rewound', async () => {
    const startedAt = Date.now();
    const schema = (service: (typeof PIPELINE)[number]) => `"${world.fleet.app(service).schema}"`;
    const load = world.load(150, { concurrency: 4, pacingMs: 50 });
    await load.reached(50);

    // The backup, under load. rehab-site is frozen while it runs, so the dump certainly holds referrals that are
    // part-way through the pipeline (accepted, not yet at a site): the ones only a rewind can finish.
    const rehab = world.fleet.app(SERVICES.rehabSite);
    rehab.pause();
    await load.reached(load.acknowledgedCount + 10);
    const backupStartedAt = new Date();
    const dump = join(dumpDir, 'referral_bus.dump');
    const dumped = await timed(() =>
      run(bin('pg_dump'), ['-Fc', '-d', pg.url('referral_bus_live'), '-f', dump]),
    );
    rehab.resume();
    // More load after the backup, then everything settles on the live database (the baseline: nothing wrong yet).
    await load.done;
    const live = await world.checker.drainAndCheck(world.scope(load));
    expect(problemsOf(live)).toEqual([]);
    await world.fleet.stop();

    // Two copies of the dump in new databases on the same cluster (roles are cluster-wide, so they are there).
    const restored = await timed(() => restoreCopy('referral_bus_restored', dump));
    const unrewoundUrl = await restoreCopy('referral_bus_unrewound', dump);

    // What the dump holds: the referrals hospital-intake had accepted, and which of them had reached a site.
    const inDump = await rows<{ id: string; encounter_id: string }>(
      restored.result,
      `SELECT id, encounter_id FROM ${schema(SERVICES.hospitalIntake)}.referral`,
    );
    const routedInDump = new Set(
      (
        await rows<{ referral_id: string }>(
          restored.result,
          `SELECT referral_id FROM ${schema(SERVICES.rehabSite)}.referral WHERE status = 'assigned'`,
        )
      ).map((r) => r.referral_id),
    );
    const dumpIds = new Set(inDump.map((r) => r.id));
    const acknowledged = load.acknowledged();
    const partWay = inDump.filter((r) => !routedInDump.has(r.id)).map((r) => r.id);
    const acceptedAfterDump = acknowledged.filter((id) => !dumpIds.has(id));
    expect(inDump.every((r) => acknowledged.includes(r.id))).toBe(true);
    expect(partWay.length).toBeGreaterThanOrEqual(10);
    expect(acceptedAfterDump.length).toBeGreaterThan(0);
    const dumpScope = {
      encounterIds: inDump.map((r) => r.encounter_id),
      acknowledged: inDump.map((r) => r.id),
      poisonMsgIds: world.poison,
      injectedMsgIds: world.injected,
    };

    // Without the rewind: the durables have acknowledged everything already, so the referrals part-way at backup
    // time never move again (nothing is pending: the loss is permanent, not slow).
    const unrewound = await world.onDatabase(unrewoundUrl);
    copies.push(unrewound);
    const stuck = await unrewound.checker.drainAndCheck(dumpScope, 15_000);
    expect(stuck.lost).toBe(partWay.length);
    expect(Object.values(stuck.backlog).every((b) => b.pending === 0 && b.ackPending === 0)).toBe(true);
    await unrewound.fleet.stop();

    // The runbook: rewind the durables to before the backup (the built script, as an operator runs it) ...
    const since = new Date(backupStartedAt.getTime() - REWIND_MARGIN_MS).toISOString();
    const rewind = await timed(() =>
      run(process.execPath, [REWIND_SCRIPT, '--since', since, '--apps', PIPELINE.join(',')], {
        env: { ...process.env, NATS_URL: nats.url, BUS_NAMESPACE: world.fleet.namespace },
      }),
    );
    const redeliver = [...rewind.result.stdout.matchAll(/: (\d+) messages to deliver$/gm)].map((m) =>
      Number(m[1]),
    );
    expect(redeliver.length).toBeGreaterThan(0);
    expect(rewind.result.stdout).toContain(`rewound ${redeliver.length} durables of ${PIPELINE.join(', ')}`);
    // ... then start the apps on the restored copy and let hospitals send new discharges.
    const copy = await world.onDatabase(restored.result);
    copies.push(copy);
    const resumed = copy.load(20, { concurrency: 4 });
    await resumed.done;
    const verdict = await copy.checker.drainAndCheck({
      ...dumpScope,
      encounterIds: [...dumpScope.encounterIds, ...resumed.submissions.map((s) => s.encounterId)],
      acknowledged: [...dumpScope.acknowledged, ...resumed.acknowledged()],
    });
    const inboxDropped =
      (await copy.metric(SERVICES.hospitalIntake, 'referral_events_consumed_total', 'outcome="duplicate"')) +
      (await copy.metric(SERVICES.registration, 'referral_events_consumed_total', 'outcome="duplicate"')) +
      (await copy.metric(SERVICES.rehabSite, 'referral_events_consumed_total', 'outcome="duplicate"'));

    // Accepted by hospital-intake after the dump: its own row went with the restore (the backup's recovery point);
    // hospital-intake rebuilds it from its own referral.assessed on its rewound durable, and registration and
    // rehab-site rebuild theirs from the stream, once each.
    const downstream = async (table: string, column: string, service: (typeof PIPELINE)[number]) =>
      (
        await rows<{ n: string }>(
          restored.result,
          `SELECT count(*) AS n FROM ${schema(service)}.${table} WHERE ${column} = ANY($1::uuid[])`,
          [acceptedAfterDump],
        )
      ).map((r) => Number(r.n))[0];
    const afterDump = {
      intake: await downstream('referral', 'id', SERVICES.hospitalIntake),
      applications: await downstream('application', 'id', SERVICES.registration),
      sited: await downstream('referral', 'referral_id', SERVICES.rehabSite),
    };

    const dumpBytes = statSync(dump).size;
    recordScenario(
      rowOf(
        '10 backup and restore',
        `pg_dump -Fc under load (rehab-site frozen during it), ${acceptedAfterDump.length} more discharges, pg_restore into a new database, restore:rewind to backup − ${REWIND_MARGIN_MS / 1000} s, 20 new discharges`,
        1,
        verdict,
        [
          `dump ${(dumpBytes / 1024).toFixed(0)} KiB in ${(dumped.ms / 1000).toFixed(1)} s, restore ${(restored.ms / 1000).toFixed(1)} s, rewind ${(rewind.ms / 1000).toFixed(1)} s`,
          `${inDump.length} referrals in the dump, ${partWay.length} of them part-way`,
          `without the rewind ${stuck.lost} of those never reached a site`,
          `${redeliver.reduce((a, b) => a + b, 0)} messages re-delivered, ${inboxDropped} dropped by the inboxes`,
          `${acceptedAfterDump.length} accepted after the dump: intake rows ${afterDump.intake}, applications ${afterDump.applications}, at a site ${afterDump.sited}`,
          `drained in ${(verdict.drainMs / 1000).toFixed(1)} s`,
        ].join('; '),
        startedAt,
      ),
    );
    expect(problemsOf(verdict)).toEqual([]);
    expect(inboxDropped).toBeGreaterThan(0);
    expect(afterDump).toEqual({
      intake: acceptedAfterDump.length,
      applications: acceptedAfterDump.length,
      sited: acceptedAfterDump.length,
    });
  });
});
