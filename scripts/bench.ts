/**
 * `npm run bench` (issue 8): end-to-end throughput and per-stage latency of discharge → registered → assigned,
 * as ratios to a raw per-message baseline measured in the same run, plus growth (1M stored referrals, 10k
 * sites) and priority isolation (GREEN events behind a REFERRAL backlog). See README "Performance".
 *
 *   npm run bench -- [--quick] [--referrals N] [--rate R] [--saturation-rate R] [--max-in-flight N]
 *                    [--sites N] [--history N] [--growth-sites N] [--queued N] [--out FILE]
 *                    [--profile DIR] [--app-env NAME=value ...] [--isolation-only] [--replicas N]
 *                    [--statements]
 *
 * Phases, one after the other so they never compete for the 2 cores:
 *   1. raw baseline (3 processes): warm-up, saturation run, latency run at --rate (default: half the
 *      baseline's sustained throughput, the issue's "same offered load");
 *   2. the apps (hospital-intake, registration, rehab-site as separate processes, AppFleet): the same runs;
 *      then GREEN isolation;
 *   3. the apps again on a fresh namespace and schemas holding --history stored referrals and --growth-sites
 *      sites: the same runs.
 *   4. with --replicas N (N > 1): N processes of every app on a fresh namespace and schemas, the saturation
 *      run again with the discharges spread round robin over the hospital-intake replicas (issue 22).
 * --isolation-only runs phase 2 alone (the apps' runs, which give the finished referrals a relapse is reported
 * for, then GREEN isolation): no baseline, no growth, so no project / baseline ratios.
 * --statements runs everything on a private Postgres with pg_stat_statements and adds, for the baseline and the
 * apps, the statement time per referral and the costliest statements (execution and planning).
 * Prints tables and writes JSON (default .bench/latest.json). Exit code 0 unless the run itself failed; the
 * goals' verdicts are in the output.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/referral_bus_bench), NATS_URL.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { SERVICES, ServiceName } from '@app/contracts';
import { DEFAULT_NATS_URL } from '@app/core';
import { ensureDatabase } from '@app/persistence';
import { dischargeRequest } from '@app/testing/discharges';
import { AppFleet } from '@app/testing/fleet';
import { uniqueName } from '@app/testing/names';
import { freePort } from '@app/testing/ports';
import { RawBaseline } from './bench/baseline-runner';
import {
  BenchSite,
  benchDirectory,
  benchResidences,
  prepareRehabDirectory,
  seedHistory,
} from './bench/history';
import { measureIsolation } from './bench/isolation';
import { StatementProfile, StatementProfiler } from './bench/statements';
import { serverCpu, serverCpuPerReferral } from './bench/servers';
import { driveRun, DriveOptions, EventClock } from './bench/load';
import {
  BenchReport,
  computeRatios,
  evaluateGoals,
  formatReport,
  GrowthResult,
  IsolationResult,
  ProcessUsage,
  ReplicasResult,
  RunResult,
  ServerUsage,
  SystemResult,
} from './bench/report';

const APPS: ServiceName[] = [SERVICES.hospitalIntake, SERVICES.registration, SERVICES.rehabSite];

export interface BenchOptions {
  quick: boolean;
  referrals: number;
  rate?: number;
  saturationRate: number;
  maxInFlight: number;
  sites: number;
  history: number;
  growthSites: number;
  queued: number;
  warmUp: number;
  out: string;
  /** Write a V8 CPU profile of every app (node --cpu-prof) under this directory. */
  profile?: string;
  /** Extra environment for every app (`--app-env CONSUMER_LANES=8`, repeatable). */
  appEnv: Record<string, string>;
  /** Skip the raw baseline and growth: the apps' runs and GREEN isolation only. */
  isolationOnly: boolean;
  /** Processes per app in the extra replicas phase; 1 (the default) skips it. */
  replicas: number;
  /**
   * Run on a private Postgres with pg_stat_statements and print where the baseline's and the project's statement
   * time goes (per referral, the costliest statements first).
   */
  statements: boolean;
}

const positive = (name: string, value: string | undefined, fallback: number, allowZero = false): number => {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new Error(`--${name} must be a positive number`);
  return n;
};

/** Command-line options; --quick shrinks every default for development runs on a busy machine. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      referrals: { type: 'string' },
      rate: { type: 'string' },
      'saturation-rate': { type: 'string' },
      'max-in-flight': { type: 'string' },
      sites: { type: 'string' },
      history: { type: 'string' },
      'growth-sites': { type: 'string' },
      queued: { type: 'string' },
      'warm-up': { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      'app-env': { type: 'string', multiple: true },
      'isolation-only': { type: 'boolean', default: false },
      replicas: { type: 'string' },
      statements: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const isolationOnly = values['isolation-only'] ?? false;
  return {
    quick,
    referrals: Math.round(positive('referrals', values.referrals, quick ? 400 : 3000)),
    rate: values.rate === undefined ? undefined : positive('rate', values.rate, 0),
    saturationRate: positive('saturation-rate', values['saturation-rate'], 1000),
    maxInFlight: Math.round(positive('max-in-flight', values['max-in-flight'], 64)),
    sites: Math.round(positive('sites', values.sites, 0, true)),
    history: isolationOnly
      ? 0
      : Math.round(positive('history', values.history, quick ? 20_000 : 1_000_000, true)),
    growthSites: Math.round(positive('growth-sites', values['growth-sites'], quick ? 2_000 : 10_000)),
    queued: Math.round(positive('queued', values.queued, quick ? 1_000 : 10_000, !isolationOnly)),
    warmUp: Math.round(positive('warm-up', values['warm-up'], quick ? 60 : 200, true)),
    out: values.out ?? path.join('.bench', 'latest.json'),
    profile: values.profile,
    appEnv: Object.fromEntries(
      (values['app-env'] ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`--app-env takes NAME=value, got ${pair}`);
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ),
    isolationOnly,
    replicas: wholeNumber('replicas', values.replicas, 1),
    statements: values.statements ?? false,
  };
}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  const n = positive(name, value, fallback);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number`);
  return n;
}

/** What an interrupted run (Ctrl-C, SIGTERM) must still drop: fleets, baseline schemas and streams. */
const cleanups = new Set<() => Promise<void>>();

async function withCleanup<T extends { dispose(): Promise<void> }, R>(
  resource: T,
  work: (resource: T) => Promise<R>,
): Promise<R> {
  const dispose = () => resource.dispose();
  cleanups.add(dispose);
  try {
    return await work(resource);
  } finally {
    cleanups.delete(dispose);
    await dispose();
  }
}

const started = Date.now();
function log(line: string): void {
  process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
}

interface Target {
  system: RunResult['system'];
  name: string;
  url: string;
  /** Several intake replicas: the discharges go round robin over them. */
  urls?: readonly string[];
  headers: Record<string, string>;
  clock: EventClock;
  /** Reset after the warm-up and read after the runs (`--statements`). */
  statements?: StatementProfiler;
}

/** A counter across every run against one database (each discharge is a new person). */
let patientNumber = Math.floor(Math.random() * 1000) * 10_000;

function dischargeFor(residences: string[]) {
  return (i: number) => {
    const n = patientNumber++;
    const body = dischargeRequest(n);
    return {
      ...body,
      encounterId: `BENCH-${n}`,
      patient: { ...(body.patient as object), residenceDivisionCode: residences[i % residences.length] },
    };
  };
}

/** Warm-up (discarded), saturation run, latency run at `rate` (or half the saturation throughput). */
async function measureSystem(
  target: Target,
  options: BenchOptions,
  residences: string[],
  rate: number | undefined,
  usage: () => Named,
): Promise<{
  saturation: RunResult;
  latency: RunResult;
  referralIds: string[];
  usage: ProcessUsage[];
  servers: ServerUsage[];
  statements?: StatementProfile;
}> {
  const measured = await measureSaturation(target, options, residences, usage);
  const offered = rate ?? Math.max(1, Math.round((measured.saturation.throughput ?? 2) / 2));
  const latency = await driveTarget(target, options, residences, `latency @ ${offered}/s`, offered);
  log(`${latency.label}: p99 discharge→assigned ${latency.latency.dischargeToAssigned.p99} ms`);
  const referralIds = [...target.clock.assigned.keys()];
  const referrals = measured.saturation.accepted + latency.accepted;
  const { usage: used, servers } = measured.since(referrals);
  const statements = await target.statements?.read(referrals);
  return { saturation: measured.saturation, latency, referralIds, usage: used, servers, statements };
}

/** One open-loop run of `options.referrals` discharges (or `count`) against the target. */
function driveTarget(
  target: Target,
  options: BenchOptions,
  residences: string[],
  label: string,
  offered: number,
  count = options.referrals,
  drainTimeoutMs = 120_000 + options.referrals * 30,
): Promise<RunResult> {
  const drive: DriveOptions = {
    label: `${target.name} ${label}`,
    system: target.system,
    url: target.url,
    urls: target.urls,
    headers: target.headers,
    rate: offered,
    count,
    maxInFlight: options.maxInFlight,
    body: dischargeFor(residences),
    clock: target.clock,
    drainTimeoutMs,
  };
  log(`${drive.label}: ${count} discharges offered at ${offered.toFixed(0)}/s`);
  return driveRun(drive);
}

/**
 * Warm-up (discarded) and the saturation run; `since(referrals)` gives each process's usage and the servers'
 * CPU from the start of the saturation run to now, per referral.
 */
async function measureSaturation(
  target: Target,
  options: BenchOptions,
  residences: string[],
  usage: () => Named,
): Promise<{
  saturation: RunResult;
  since: (referrals: number) => { usage: ProcessUsage[]; servers: ServerUsage[] };
}> {
  const idle = usage();
  if (options.warmUp > 0) {
    await driveTarget(target, options, residences, 'warm-up', 50, options.warmUp, 60_000);
  }
  await target.statements?.reset();
  const measuredFrom = usage();
  const serversFrom = serverCpu();
  const saturation = await driveTarget(target, options, residences, 'saturation', options.saturationRate);
  log(
    `${saturation.label}: ${saturation.assigned}/${saturation.accepted} assigned, ${saturation.throughput?.toFixed(1)}/s`,
  );
  return {
    saturation,
    since: (referrals) => ({
      usage: usageOf(idle, measuredFrom, usage(), referrals),
      servers: serverCpuPerReferral(serversFrom, serverCpu(), referrals),
    }),
  };
}

type Named = { name: string; usage: { rssBytes: number; peakRssBytes: number; cpuSeconds: number } }[];

/** Usage of each process now, with the idle RSS and the CPU spent per referral since `from`. */
/** GREEN events a phase of the isolation run: 100, or as many as half the finished referrals allow (≥ 20). */
export function isolationSamples(finishedReferrals: number): number {
  return Math.max(20, Math.min(100, Math.floor(finishedReferrals / 2)));
}

function usageOf(idle: Named, from: Named, now: Named, referrals: number): ProcessUsage[] {
  return now.map(({ name, usage }) => {
    const before = from.find((u) => u.name === name)?.usage.cpuSeconds ?? 0;
    return {
      name,
      idleRssBytes: idle.find((u) => u.name === name)?.usage.rssBytes ?? 0,
      ...usage,
      cpuMsPerReferral: referrals > 0 ? ((usage.cpuSeconds - before) * 1000) / referrals : 0,
    };
  });
}

async function runBaseline(
  options: BenchOptions,
  logRoot: string,
  databaseUrl: string,
  natsUrl: string,
  sites: BenchSite[],
  residences: string[],
  statements: StatementProfiler | undefined,
): Promise<SystemResult> {
  const namespace = uniqueName('rawb');
  log(`baseline: namespace ${namespace}, ${sites.length} sites`);
  const baseline = await RawBaseline.start({
    databaseUrl,
    natsUrl,
    namespace,
    sites,
    httpPort: await freePort(),
    logDir: path.join(logRoot, namespace),
  });
  return withCleanup(baseline, async () => {
    const clock = await EventClock.start(natsUrl, namespace);
    try {
      const target: Target = {
        system: 'baseline',
        name: 'baseline',
        url: baseline.url,
        headers: {},
        clock,
        statements,
      };
      return systemResult(
        await measureSystem(target, options, residences, options.rate, () => baseline.usage()),
      );
    } finally {
      await clock.close();
    }
  });
}

async function startFleet(
  databaseUrl: string,
  natsUrl: string,
  prefix: string,
  logRoot: string,
  options: BenchOptions,
  replicas = 1,
): Promise<AppFleet> {
  const { profile } = options;
  const namespace = uniqueName(prefix);
  log(
    `fleet ${namespace}: migrating, seeding and starting ${APPS.join(', ')}${replicas > 1 ? `, ${replicas} processes each` : ''}`,
  );
  return AppFleet.start({
    apps: APPS,
    replicas,
    namespace,
    databaseUrl,
    natsUrl,
    logDir: path.join(logRoot, namespace),
    readyTimeoutMs: 120_000,
    // One hospital key from one address drives the whole load: lift the per-principal and per-IP rate limits
    // (600 and 1200/min by default) out of the way, or the bench would measure 429s. --app-env can still set them.
    env: { RATE_LIMIT_PER_WINDOW: '1000000', RATE_LIMIT_IP_PER_WINDOW: '1000000', ...options.appEnv },
    appEnv: profile
      ? Object.fromEntries(
          APPS.map((app) => [
            app,
            {
              NODE_OPTIONS: `--require ${path.join(__dirname, 'bench', 'cpu-profile.js')}`,
              BENCH_CPU_PROFILE_DIR: path.resolve(profile, namespace, app),
            },
          ]),
        )
      : undefined,
  });
}

/** The figures of a measured system, without the run's bookkeeping (referral ids, event clock). */
function systemResult({ saturation, latency, usage, servers, statements }: SystemResult): SystemResult {
  return { saturation, latency, usage, servers, ...(statements ? { statements } : {}) };
}

async function runProject(
  options: BenchOptions,
  db: Client,
  fleet: AppFleet,
  extraSites: BenchSite[],
  residences: string[],
  rate: number | undefined,
  label: string,
  statements?: StatementProfiler,
): Promise<SystemResult & { referralIds: string[]; clock: EventClock }> {
  await prepareRehabDirectory(db, fleet.app(SERVICES.rehabSite).schema, extraSites);
  const clock = await EventClock.start(fleet.natsUrl, fleet.namespace);
  const target: Target = {
    system: 'project',
    name: label,
    url: fleet.app(SERVICES.hospitalIntake).url,
    headers: { 'x-api-key': fleet.hospitalKey() },
    clock,
    statements,
  };
  const {
    saturation,
    latency,
    referralIds,
    usage,
    servers,
    statements: used,
  } = await measureSystem(target, options, residences, rate, () => fleetUsage(fleet));
  return {
    saturation,
    latency,
    usage,
    servers,
    referralIds,
    clock,
    ...(used ? { statements: used } : {}),
  };
}

/** Every process of the fleet, named `hospital-intake` (or `hospital-intake #2` with replicas). */
function fleetUsage(fleet: AppFleet): Named {
  return fleet.all().map((app) => ({ name: app.label, usage: app.usage() }));
}

/** Issue 22: the saturation run with `options.replicas` processes of every app on one schema each. */
async function runReplicas(
  options: BenchOptions,
  db: Client,
  databaseUrl: string,
  natsUrl: string,
  logRoot: string,
  extraSites: BenchSite[],
  residences: string[],
): Promise<ReplicasResult> {
  const fleet = await startFleet(databaseUrl, natsUrl, 'benchr', logRoot, options, options.replicas);
  return withCleanup(fleet, async () => {
    await prepareRehabDirectory(db, fleet.app(SERVICES.rehabSite).schema, extraSites);
    const clock = await EventClock.start(fleet.natsUrl, fleet.namespace);
    try {
      const intakes = fleet.replicasOf(SERVICES.hospitalIntake).map((app) => app.url);
      const target: Target = {
        system: 'project',
        name: `${options.replicas} replicas`,
        url: intakes[0],
        urls: intakes,
        headers: { 'x-api-key': fleet.hospitalKey() },
        clock,
      };
      const { saturation, since } = await measureSaturation(target, options, residences, () =>
        fleetUsage(fleet),
      );
      return { replicas: options.replicas, saturation, ...since(saturation.accepted) };
    } finally {
      await clock.close();
    }
  });
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const statements = options.statements ? await StatementProfiler.start() : undefined;
  try {
    return await benchOn(
      statements?.databaseUrl ??
        process.env.BENCH_DATABASE_URL ??
        'postgres://postgres@127.0.0.1:5432/referral_bus_bench',
      options,
      statements,
    );
  } finally {
    await statements?.stop();
  }
}

async function benchOn(
  databaseUrl: string,
  options: BenchOptions,
  statements: StatementProfiler | undefined,
): Promise<BenchReport> {
  const natsUrl = process.env.NATS_URL ?? DEFAULT_NATS_URL;
  await ensureDatabase(databaseUrl);
  const logRoot = path.resolve(path.dirname(options.out), 'logs');
  const startedAt = new Date().toISOString();
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { demo, extra } = await benchDirectory(options.sites);
    const residences = benchResidences(demo);

    const baseline = options.isolationOnly
      ? undefined
      : await runBaseline(
          options,
          logRoot,
          databaseUrl,
          natsUrl,
          [...demo, ...extra],
          residences,
          statements,
        );
    const rate = options.rate ?? baseline?.latency.offeredRate;

    let isolation: IsolationResult | undefined;
    const fleet = await startFleet(databaseUrl, natsUrl, 'bench', logRoot, options);
    const project: SystemResult = await withCleanup(fleet, async () => {
      const measured = await runProject(options, db, fleet, extra, residences, rate, 'project', statements);
      if (options.queued > 0) {
        isolation = await measureIsolation({
          fleet,
          db,
          clock: measured.clock,
          referralIds: measured.referralIds,
          queued: options.queued,
          // Up to 100 a phase (20 at least): with 20, the p99 was the one slowest event, and the loaded / idle
          // ratio read 1.68–3.06 over four full runs of similar code while both p50s held steady.
          idleSamples: isolationSamples(measured.referralIds.length),
          loadedSamples: isolationSamples(measured.referralIds.length),
          discharge: dischargeFor(residences),
          log,
        });
      }
      await measured.clock.close();
      return systemResult(measured);
    });

    // Right after the 1-replica phase, so both see the machine as alike as possible.
    const replicas =
      options.replicas > 1
        ? await runReplicas(options, db, databaseUrl, natsUrl, logRoot, extra, residences)
        : undefined;
    if (replicas) {
      log(
        `replicas ${replicas.replicas}: ${replicas.saturation.assigned}/${replicas.saturation.accepted} assigned, ` +
          `${replicas.saturation.throughput?.toFixed(1)}/s`,
      );
    }

    let growth: GrowthResult | undefined;
    if (options.history > 0) {
      const grown = await startFleet(databaseUrl, natsUrl, 'benchg', logRoot, options);
      growth = await withCleanup(grown, async () => {
        const { extra: growthExtra } = await benchDirectory(Math.max(options.growthSites, demo.length));
        await prepareRehabDirectory(db, grown.app(SERVICES.rehabSite).schema, growthExtra);
        log(
          `growth: seeding ${options.history} stored referrals (${demo.length + growthExtra.length} sites)`,
        );
        const seedSeconds = await seedHistory(
          db,
          {
            intake: grown.app(SERVICES.hospitalIntake).schema,
            registration: grown.app(SERVICES.registration).schema,
            rehab: grown.app(SERVICES.rehabSite).schema,
            namespace: grown.namespace,
          },
          options.history,
          grown.hospitalIds(),
          residences,
        );
        log(`growth: seeded in ${seedSeconds.toFixed(0)} s`);
        const measured = await runProject(
          options,
          db,
          grown,
          [],
          residences,
          rate,
          `project +${options.history} stored`,
        );
        await measured.clock.close();
        return {
          ...systemResult(measured),
          storedReferrals: options.history,
          sites: demo.length + growthExtra.length,
          seedSeconds,
        };
      });
    }

    const ratios = computeRatios(baseline, project, growth, isolation, replicas);
    const usage = [
      ...project.usage,
      ...(growth?.usage ?? []).map((u) => ({ ...u, name: `${u.name} (+stored)` })),
      ...(replicas?.usage ?? []).map((u) => ({ ...u, name: `${u.name} (${replicas!.replicas} replicas)` })),
    ];
    return {
      startedAt,
      finishedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg(), node: process.version },
      options: { ...options },
      method:
        'Discharge time = when the open-loop client was due to send the request; registered/assigned = when a core ' +
        'NATS subscription in the bench process on the namespace subjects saw the referral.registered / ' +
        'referral.assigned publish (first sighting, keyed by the CloudEvents subject = referral id); HTTP accept = ' +
        'due time → 201. Sustained throughput = assignments per second between the 10th and 90th percentile ' +
        'completion. GREEN isolation: publish → inbox row committed in each GREEN consumer (polled every ~2 ms), ' +
        'and relapse reported → hospital notified: publish → first sighting of green.notified for the referral ' +
        '(core NATS subscription in the bench process).',
      baseline,
      project,
      growth,
      isolation,
      replicas,
      ratios,
      goals: evaluateGoals(ratios, usage, growth !== undefined, isolation !== undefined, replicas?.replicas),
    };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  log(`options: ${JSON.stringify(options)}`);
  const report = await runBench(options);
  process.stdout.write(`${formatReport(report)}\n`);
  fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
  fs.writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${options.out}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

if (require.main === module) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
    });
  }
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
