import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { Client } from 'pg';
import { SERVICES, ServiceName } from '@app/contracts';
import { AppFleet, opsHeaders, uniqueName } from '@app/testing';
import { Checker, CheckScope, PIPELINE, problemsOf, Verdict } from './checker';
import { DischargeFactory } from './discharges';
import { LoadRun } from './load';
import { recordScenario, rowOf } from './summary';

export interface WorldOptions {
  readonly natsUrl?: string;
  readonly databaseUrl?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly appEnv?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  /** Processes per app (AppFleet `replicas`, default 1). */
  readonly replicas?: number;
}

/** Environment every app of a fault fleet gets: quick relays, short shutdown grace, warn-level logs. */
export const FAULT_ENV: NodeJS.ProcessEnv = {
  LOG_LEVEL: 'warn',
  OUTBOX_POLL_INTERVAL_MS: '200',
  SHUTDOWN_GRACE_MS: '2000',
  // Each app's pool is CONSUMER_LANES (default 1) × its consumers + 10 connections: a fleet stays well inside
  // max_connections = 100.
};

/** The preload that lets a test jump an app's wall clock (see clock-shift.js). */
export const CLOCK_SHIFT_PRELOAD = join(__dirname, 'clock-shift.js');

/** Env that makes an app's wall clock follow the offset (ms) written to `file`. */
export function clockShiftEnv(file: string): NodeJS.ProcessEnv {
  writeFileSync(file, '0');
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ? `${process.env.NODE_OPTIONS} ` : ''}--require ${CLOCK_SHIFT_PRELOAD}`,
    CLOCK_SHIFT_FILE: file,
  };
}

/**
 * A fleet of the three pipeline apps (intake → registration → rehab-site) with the checker, a discharge
 * generator and the dead letters / injected copies its scenarios have allowed so far.
 */
export class FaultWorld {
  /** Nats-Msg-Id → dead letters expected for it (poison injected by any scenario of this fleet). */
  readonly poison = new Map<string, number>();
  /** Nats-Msg-Ids of copies injected on purpose (not duplicates of the system's making). */
  readonly injected = new Set<string>();

  private constructor(
    readonly fleet: AppFleet,
    readonly checker: Checker,
    readonly factory: DischargeFactory,
    readonly apiKey: string,
  ) {}

  private static checkerOf(fleet: AppFleet, natsOptions?: Partial<ConnectionOptions>): Checker {
    return new Checker({
      databaseUrl: fleet.databaseUrl,
      natsUrl: fleet.natsUrl,
      namespace: fleet.namespace,
      schemas: Object.fromEntries(PIPELINE.map((s) => [s, fleet.app(s).schema])),
      ...(natsOptions ? { natsOptions } : {}),
    });
  }

  /**
   * A world around a fleet started by the caller (e.g. as deployed, with a hospital onboarded instead of seeded):
   * `apiKey` is the hospital's, `natsOptions` how the checker reaches a secured NATS.
   */
  static async of(
    fleet: AppFleet,
    apiKey: string,
    natsOptions?: Partial<ConnectionOptions>,
  ): Promise<FaultWorld> {
    return new FaultWorld(
      fleet,
      FaultWorld.checkerOf(fleet, natsOptions),
      await DischargeFactory.create(),
      apiKey,
    );
  }

  /**
   * The same apps (namespace, schemas, hospital key, discharge numbering) started on another database — a
   * restored copy: migrations run (a no-op on a copy), no seed. Stop this world's fleet first.
   */
  async onDatabase(
    databaseUrl: string,
    options: Pick<WorldOptions, 'env' | 'appEnv'> = {},
  ): Promise<FaultWorld> {
    const fleet = await AppFleet.start({
      apps: PIPELINE,
      namespace: this.fleet.namespace,
      natsUrl: this.fleet.natsUrl,
      databaseUrl,
      seed: false,
      env: { ...FAULT_ENV, ...options.env },
      ...(options.appEnv ? { appEnv: options.appEnv } : {}),
    });
    const world = new FaultWorld(fleet, FaultWorld.checkerOf(fleet), this.factory, this.apiKey);
    this.poison.forEach((n, id) => world.poison.set(id, n));
    this.injected.forEach((id) => world.injected.add(id));
    return world;
  }

  static async start(options: WorldOptions = {}): Promise<FaultWorld> {
    const factory = await DischargeFactory.create();
    const fleet = await AppFleet.start({
      apps: PIPELINE,
      namespace: uniqueName('f'),
      ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
      env: { ...FAULT_ENV, ...options.env },
      ...(options.appEnv ? { appEnv: options.appEnv } : {}),
      ...(options.replicas ? { replicas: options.replicas } : {}),
    });
    return new FaultWorld(fleet, FaultWorld.checkerOf(fleet), factory, fleet.hospitalKey());
  }

  get intakeUrl(): string {
    return this.fleet.app(SERVICES.hospitalIntake).url;
  }

  /** Starts posting `count` fresh discharges to hospital-intake (every replica of it, worker by worker). */
  load(
    count: number,
    options: { concurrency?: number; pacingMs?: number; consent?: boolean; deadlineMs?: number } = {},
  ): LoadRun {
    return LoadRun.start({
      url: this.intakeUrl,
      urls: this.fleet.replicasOf(SERVICES.hospitalIntake).map((app) => app.url),
      apiKey: this.apiKey,
      bodies: this.factory.batch(count, { consent: options.consent }),
      concurrency: options.concurrency ?? 4,
      pacingMs: options.pacingMs ?? 0,
      ...(options.deadlineMs ? { deadlineMs: options.deadlineMs } : {}),
    });
  }

  scope(load: LoadRun, extra: Partial<CheckScope> = {}): CheckScope {
    return {
      encounterIds: load.submissions.map((s) => s.encounterId),
      acknowledged: load.acknowledged(),
      poisonMsgIds: this.poison,
      injectedMsgIds: this.injected,
      ...extra,
    };
  }

  /**
   * Drains, checks, records the summary row and fails the test on any lost or doubled referral (or any other
   * broken invariant). Returns the verdict for scenario-specific assertions.
   */
  async verify(
    load: LoadRun,
    row: { scenario: string; fault: string; injected: number; notes?: string; startedAt: number },
    extra: Partial<CheckScope> = {},
    drainTimeoutMs?: number,
  ): Promise<Verdict> {
    await load.done;
    const verdict = await this.checker.drainAndCheck(this.scope(load, extra), drainTimeoutMs);
    const notes = [
      row.notes,
      `${load.retried()} HTTP retries`,
      `drained in ${(verdict.drainMs / 1000).toFixed(1)} s`,
    ]
      .filter(Boolean)
      .join('; ');
    recordScenario(rowOf(row.scenario, row.fault, row.injected, verdict, notes, row.startedAt));
    const problems = [
      ...problemsOf(verdict),
      ...load
        .rejected()
        .map((s) => `discharge ${s.encounterId} refused: ${s.rejected!.status} ${s.rejected!.body}`),
      ...load
        .conflictingAnswers()
        .map((s) => `discharge ${s.encounterId} answered with different referrals: ${s.answers.join(', ')}`),
    ];
    expect(problems).toEqual([]);
    return verdict;
  }

  /** Rows an app has stored for referrals so far (its progress through the stream). */
  async stored(service: ServiceName): Promise<number> {
    // registration keeps one application per referral; intake and rehab-site one referral row.
    const table = service === SERVICES.registration ? 'application' : 'referral';
    const client = new Client({ connectionString: this.fleet.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${this.fleet.app(service).schema}".${table}`,
      );
      return Number(rows[0].n);
    } finally {
      await client.end();
    }
  }

  /** Counter from an app's /metrics (sum over the label values that contain `match`). */
  async metric(service: ServiceName, name: string, match = ''): Promise<number> {
    const response = await fetch(`${this.fleet.app(service).url}/metrics`, {
      headers: await opsHeaders('ops-viewer'),
    });
    if (response.status !== 200) throw new Error(`${service} /metrics answered ${response.status}`);
    const text = await response.text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(name) && l.includes(match))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  }

  async dispose(): Promise<void> {
    await this.fleet.dispose();
  }
}
