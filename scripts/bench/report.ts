import { formatTable } from '../start';
import { formatStatementProfile, StatementProfile } from './statements';
import { LatencySummary } from './latency';

/** The per-stage latencies of one run (ms). */
export interface StageLatencies {
  /** From the moment a discharge was due to be sent (open loop) to its HTTP 201. */
  accept: LatencySummary;
  dischargeToRegistered: LatencySummary;
  registeredToAssigned: LatencySummary;
  dischargeToAssigned: LatencySummary;
}

export interface RunResult {
  /** e.g. `baseline saturation`, `project latency @ 120/s`. */
  label: string;
  system: 'project' | 'baseline';
  /** Discharges offered per second (open loop). */
  offeredRate: number;
  sent: number;
  accepted: number;
  /** Requests answered with anything but 201, or not answered. */
  failed: number;
  /** Referrals seen as assigned before the run's deadline. */
  assigned: number;
  /** Assignments per second over the middle 80 % of completions. */
  throughput?: number;
  /** The same rate for the earlier stages: which one holds the pipeline back. */
  stageThroughput: { accepted?: number; registered?: number };
  seconds: number;
  latency: StageLatencies;
}

export interface ProcessUsage {
  name: string;
  /** RSS once started and idle (before the warm-up). */
  idleRssBytes: number;
  rssBytes: number;
  peakRssBytes: number;
  /** CPU time over the process's life (boot included). */
  cpuSeconds: number;
  /** CPU time spent during the saturation and latency runs per referral accepted in them. */
  cpuMsPerReferral: number;
}

/** CPU the shared servers (Postgres, NATS) spent per referral during the measured runs. */
export interface ServerUsage {
  name: string;
  cpuMsPerReferral: number;
}

export interface SystemResult {
  saturation: RunResult;
  latency: RunResult;
  usage: ProcessUsage[];
  /** Postgres and NATS (all their processes), which the per-process figures leave out. */
  servers?: ServerUsage[];
  /** Where Postgres's statement time went (`--statements`). */
  statements?: StatementProfile;
}

/** The saturation run again with every app as `replicas` processes, the load spread over the intake replicas. */
export interface ReplicasResult {
  replicas: number;
  saturation: RunResult;
  /** One row per process (`hospital-intake #1`, `#2`, …). */
  usage: ProcessUsage[];
  servers?: ServerUsage[];
}

export interface GrowthResult extends SystemResult {
  storedReferrals: number;
  sites: number;
  seedSeconds: number;
}

export interface IsolationResult {
  /** Normal referral events queued (REFERRAL stream) when the GREEN events were published. */
  queued: number;
  /** Referral backlog left unprocessed when the last loaded GREEN event was handled. */
  backlogAtEnd: number;
  /** Publish → handled (inbox row committed), per consuming service, idle vs behind the backlog. */
  consumers: { service: string; idle: LatencySummary; loaded: LatencySummary }[];
  /**
   * Relapse reported (`green.relapse-reported` published) → hospital notified (hospital-intake's
   * `green.notified` seen on the bus, published with the per-hospital `hospital.<id>.green.offered` notice in
   * one transaction), idle vs behind the backlog. Absent in reports from before issue 15.
   */
  notified?: { idle: LatencySummary; loaded: LatencySummary };
}

export interface Goal {
  name: string;
  value: number | undefined;
  /** Human form of the target, e.g. `≥ 1.00 (floor 0.50)`. */
  target: string;
  verdict: 'met' | 'floor' | 'missed' | 'not measured';
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; loadAverage: number[]; node: string };
  options: Record<string, unknown>;
  /** How the stage timestamps were taken. */
  method: string;
  /** Absent when the run skipped it (`--isolation-only`). */
  baseline?: SystemResult;
  project: SystemResult;
  growth?: GrowthResult;
  isolation?: IsolationResult;
  /** Absent unless `--replicas N` with N > 1. */
  replicas?: ReplicasResult;
  ratios: Record<string, number | undefined>;
  goals: Goal[];
}

export const RSS_LIMIT_BYTES = 200 * 1024 * 1024;

export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return undefined;
  }
  return a / b;
}

/** CPU milliseconds all processes of a system spent per referral. */
export function cpuPerReferral(system: Pick<SystemResult, 'usage'>): number | undefined {
  return system.usage.length === 0 ? undefined : system.usage.reduce((sum, u) => sum + u.cpuMsPerReferral, 0);
}

/** CPU milliseconds Postgres and NATS spent per referral of a system's runs. */
export function serverCpuPerReferral(system: Pick<SystemResult, 'servers'>): number | undefined {
  return system.servers === undefined || system.servers.length === 0
    ? undefined
    : system.servers.reduce((sum, s) => sum + s.cpuMsPerReferral, 0);
}

/** p99 of GREEN relapse reported → hospital notified behind the REFERRAL backlog over idle (goal ≤ 2). */
export function greenNotifiedP99Ratio(isolation: IsolationResult | undefined): number | undefined {
  const n = isolation?.notified;
  if (!n || n.idle.count === 0 || n.loaded.count === 0) return undefined;
  return ratio(n.loaded.p99, n.idle.p99);
}

/** project / baseline (and grown / empty, GREEN loaded / idle) ratios that the goals are judged on. */
export function computeRatios(
  baseline: SystemResult | undefined,
  project: SystemResult,
  growth?: GrowthResult,
  isolation?: IsolationResult,
  replicas?: ReplicasResult,
): Record<string, number | undefined> {
  const p99 = (r: RunResult | undefined) =>
    r !== undefined && r.assigned > 0 ? r.latency.dischargeToAssigned.p99 : undefined;
  return {
    throughputProjectOverBaseline: ratio(project.saturation.throughput, baseline?.saturation.throughput),
    p99ProjectOverBaseline: ratio(p99(project.latency), p99(baseline?.latency)),
    cpuPerReferralProjectOverBaseline: ratio(cpuPerReferral(project), baseline && cpuPerReferral(baseline)),
    serverCpuPerReferralProjectOverBaseline: ratio(
      serverCpuPerReferral(project),
      baseline && serverCpuPerReferral(baseline),
    ),
    acceptP99ProjectOverBaseline: ratio(
      project.latency.latency.accept.p99,
      baseline?.latency.latency.accept.p99,
    ),
    ...(isolation ? { greenNotifiedP99LoadedOverIdle: greenNotifiedP99Ratio(isolation) } : {}),
    ...(growth
      ? {
          throughputGrownOverEmpty: ratio(growth.saturation.throughput, project.saturation.throughput),
          p99GrownOverEmpty: ratio(p99(growth.latency), p99(project.latency)),
          cpuPerReferralGrownOverEmpty: ratio(cpuPerReferral(growth), cpuPerReferral(project)),
        }
      : {}),
    ...(replicas
      ? {
          throughputReplicasOverOne: ratio(replicas.saturation.throughput, project.saturation.throughput),
          throughputReplicasOverBaseline: ratio(
            replicas.saturation.throughput,
            baseline?.saturation.throughput,
          ),
          cpuPerReferralReplicasOverOne: ratio(cpuPerReferral(replicas), cpuPerReferral(project)),
        }
      : {}),
  };
}

/** `replicas N: throughput X/s = R× 1 replica, = B× raw baseline`. */
export function replicasLine(report: Pick<BenchReport, 'replicas' | 'ratios'>): string | undefined {
  const r = report.replicas;
  if (!r) return undefined;
  return (
    `replicas ${r.replicas}: throughput ${f(r.saturation.throughput)}/s = ` +
    `${f(report.ratios.throughputReplicasOverOne, 2)}× 1 replica, = ` +
    `${f(report.ratios.throughputReplicasOverBaseline, 2)}× raw baseline ` +
    `(CPU ${f(cpuPerReferral(r), 2)} ms/referral in the apps, ${f(serverCpuPerReferral(r), 2)} in Postgres + NATS)`
  );
}

function atLeast(name: string, value: number | undefined, goal: number, floor?: number): Goal {
  const target =
    floor === undefined ? `≥ ${goal.toFixed(2)}` : `≥ ${goal.toFixed(2)} (floor ${floor.toFixed(2)})`;
  if (value === undefined) return { name, value, target, verdict: 'not measured' };
  const verdict = value >= goal ? 'met' : floor !== undefined && value >= floor ? 'floor' : 'missed';
  return { name, value, target, verdict };
}

function atMost(name: string, value: number | undefined, limit: number, unit = ''): Goal {
  const target = `≤ ${limit.toFixed(2)}${unit}`;
  if (value === undefined) return { name, value, target, verdict: 'not measured' };
  return { name, value, target, verdict: value <= limit ? 'met' : 'missed' };
}

export const GREEN_NOTIFIED_GOAL = 'GREEN p99 relapse→hospital notified, behind the backlog / idle';

/** The goals of issues 8 and 15, judged on the measured ratios and peak RSS. */
export function evaluateGoals(
  ratios: Record<string, number | undefined>,
  usage: ProcessUsage[],
  growthMeasured: boolean,
  isolationMeasured = false,
  replicas?: number,
): Goal[] {
  const goals = [
    atLeast('throughput project / baseline', ratios.throughputProjectOverBaseline, 1.0, 0.5),
    atMost('p99 discharge→assigned project / baseline (same offered load)', ratios.p99ProjectOverBaseline, 2),
  ];
  if (isolationMeasured) {
    goals.push(atMost(GREEN_NOTIFIED_GOAL, ratios.greenNotifiedP99LoadedOverIdle, 2));
  }
  if (growthMeasured) {
    goals.push(
      atLeast('throughput with stored history / empty', ratios.throughputGrownOverEmpty, 1 / 1.5),
      atMost('p99 discharge→assigned with stored history / empty', ratios.p99GrownOverEmpty, 1.5),
    );
  }
  if (replicas !== undefined) {
    goals.push(atLeast(`throughput ${replicas} replicas / 1 replica`, ratios.throughputReplicasOverOne, 1));
  }
  for (const u of usage) {
    goals.push(
      atMost(`peak RSS ${u.name} (MB)`, u.peakRssBytes / 1024 / 1024, RSS_LIMIT_BYTES / 1024 / 1024),
    );
  }
  return goals;
}

const f = (n: number | undefined, digits = 1) => (n === undefined ? '–' : n.toFixed(digits));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

function latencyRows(run: RunResult): string[][] {
  const stages: [string, LatencySummary][] = [
    ['HTTP accept', run.latency.accept],
    ['discharge→registered', run.latency.dischargeToRegistered],
    ['registered→assigned', run.latency.registeredToAssigned],
    ['discharge→assigned', run.latency.dischargeToAssigned],
  ];
  return stages.map(([stage, s]) => [
    run.label,
    stage,
    String(s.count),
    f(s.p50),
    f(s.p95),
    f(s.p99),
    f(s.max),
  ]);
}

/** The human report: runs, latencies, resources, isolation, ratios and goals. */
export function formatReport(report: BenchReport): string {
  const systems: [string, SystemResult][] = [
    ...(report.baseline ? [['baseline', report.baseline] as [string, SystemResult]] : []),
    ['project', report.project],
    ...(report.growth
      ? [[`project +${report.growth.storedReferrals} stored`, report.growth] as [string, SystemResult]]
      : []),
  ];
  const replicas = report.replicas;
  const replicasName = replicas ? `${replicas.replicas} replicas` : '';
  const runs = [
    ...systems.flatMap(([, s]) => [s.saturation, s.latency]),
    ...(replicas ? [replicas.saturation] : []),
  ];
  const usageOf: [string, Pick<SystemResult, 'usage' | 'servers'>][] = [
    ...systems,
    ...(replicas ? [[replicasName, replicas] as [string, ReplicasResult]] : []),
  ];
  const out: string[] = [];
  out.push(
    formatTable(
      [
        'run',
        'offered/s',
        'sent',
        '201',
        'failed',
        'assigned',
        'sustained/s',
        '201/s',
        'registered/s',
        'seconds',
      ],
      runs.map((r) => [
        r.label,
        f(r.offeredRate, 0),
        String(r.sent),
        String(r.accepted),
        String(r.failed),
        String(r.assigned),
        f(r.throughput),
        f(r.stageThroughput.accepted),
        f(r.stageThroughput.registered),
        f(r.seconds),
      ]),
    ),
  );
  out.push('');
  out.push(
    formatTable(
      ['run', 'stage (ms)', 'n', 'p50', 'p95', 'p99', 'max'],
      systems.flatMap(([, s]) => latencyRows(s.latency)),
    ),
  );
  out.push('');
  out.push(
    formatTable(
      ['system', 'process', 'idle RSS MB', 'peak RSS MB', 'RSS MB', 'CPU s (life)', 'CPU ms/referral'],
      usageOf.flatMap(([name, s]) =>
        s.usage.map((u) => [
          name,
          u.name,
          mb(u.idleRssBytes),
          mb(u.peakRssBytes),
          mb(u.rssBytes),
          f(u.cpuSeconds),
          f(u.cpuMsPerReferral, 2),
        ]),
      ),
    ),
  );
  const withServers = usageOf.filter(([, s]) => s.servers !== undefined && s.servers.length > 0);
  if (withServers.length > 0) {
    out.push('');
    out.push(
      'Shared servers during the same runs (all their processes; anything else on the machine included):',
    );
    out.push(
      formatTable(
        ['system', 'server', 'CPU ms/referral'],
        withServers.flatMap(([name, s]) =>
          (s.servers ?? []).map((server) => [name, server.name, f(server.cpuMsPerReferral, 2)]),
        ),
      ),
    );
  }
  for (const [name, system] of systems) {
    if (!system.statements) continue;
    out.push('');
    out.push(formatStatementProfile(name, system.statements));
  }
  out.push('');
  out.push(
    formatTable(
      ['ratio', 'value'],
      Object.entries(report.ratios).map(([name, value]) => [name, f(value, 2)]),
    ),
  );
  const line = replicasLine(report);
  if (line) {
    out.push('');
    out.push(line);
  }
  if (report.isolation) {
    out.push('');
    out.push(
      `GREEN event publish → handled, idle vs behind ${report.isolation.queued} queued referral events ` +
        `(${report.isolation.backlogAtEnd} still queued after the last one):`,
    );
    out.push(
      formatTable(
        ['consumer', 'idle p50', 'idle max', 'loaded p50', 'loaded p99', 'loaded max', 'n'],
        report.isolation.consumers.map((c) => [
          c.service,
          f(c.idle.p50),
          f(c.idle.max),
          f(c.loaded.p50),
          f(c.loaded.p99),
          f(c.loaded.max),
          String(c.loaded.count),
        ]),
      ),
    );
    const notified = report.isolation.notified;
    if (notified) {
      out.push('');
      out.push(
        'GREEN relapse reported → hospital notified (green.notified on the bus), idle vs behind the backlog:',
      );
      out.push(
        formatTable(
          ['phase', 'n', 'p50', 'p95', 'p99', 'max'],
          (
            [
              ['idle', notified.idle],
              [`${report.isolation.queued} queued`, notified.loaded],
            ] as const
          ).map(([phase, s]) => [phase, String(s.count), f(s.p50), f(s.p95), f(s.p99), f(s.max)]),
        ),
      );
      out.push(
        `p99 ratio behind the backlog / idle: ${f(greenNotifiedP99Ratio(report.isolation), 2)} (goal ≤ 2)`,
      );
    }
  }
  out.push('');
  out.push(
    formatTable(
      ['goal', 'measured', 'target', 'verdict'],
      report.goals.map((g) => [g.name, f(g.value, 2), g.target, g.verdict]),
    ),
  );
  return out.join('\n');
}
