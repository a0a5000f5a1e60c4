import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AckPolicy, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { processUsage, ProcessUsage } from '@app/testing/fleet';
import { RAW_ROLES, RawRole, RawSite, rawTopology } from './raw-baseline';

/** DDL of the three baseline schemas (one per role, like the apps). */
function schemaSql(schema: string, role: RawRole): string[] {
  const s = `"${schema}_${role}"`;
  const common = [
    `CREATE SCHEMA ${s}`,
    `CREATE TABLE ${s}.outbox (id uuid PRIMARY KEY, subject text NOT NULL, payload text NOT NULL,
       created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz)`,
    `CREATE INDEX ON ${s}.outbox (created_at) WHERE published_at IS NULL`,
  ];
  if (role === 'intake') {
    return [
      ...common,
      `CREATE TABLE ${s}.referral (id uuid PRIMARY KEY, encounter_id text NOT NULL UNIQUE, body jsonb NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now())`,
    ];
  }
  const inbox = `CREATE TABLE ${s}.inbox (event_id text PRIMARY KEY, processed_at timestamptz NOT NULL DEFAULT now())`;
  if (role === 'registration') {
    return [
      ...common,
      inbox,
      `CREATE TABLE ${s}.registration (id uuid PRIMARY KEY, referral_id uuid NOT NULL UNIQUE,
         residence_division_code text NOT NULL, needs jsonb NOT NULL, risk_level int NOT NULL,
         registered_at timestamptz NOT NULL DEFAULT now())`,
    ];
  }
  return [
    ...common,
    inbox,
    `CREATE TABLE ${s}.site (id text PRIMARY KEY, level_rank int NOT NULL, capacity int NOT NULL,
       reserved int NOT NULL DEFAULT 0)`,
    `CREATE TABLE ${s}.site_area (division_code text NOT NULL, site_id text NOT NULL REFERENCES ${s}.site (id),
       PRIMARY KEY (division_code, site_id))`,
    `CREATE TABLE ${s}.assignment (referral_id uuid PRIMARY KEY, site_id text REFERENCES ${s}.site (id),
       assigned_at timestamptz NOT NULL)`,
  ];
}

const LEVEL_RANK: Record<RawSite['level'], number> = {
  'community-station': 0,
  'street-site': 1,
  'county-centre': 2,
};

export interface RawBaselineOptions {
  databaseUrl: string;
  natsUrl: string;
  namespace: string;
  /** The site directory (places are unlimited, like the bench's project sites). */
  sites: RawSite[];
  httpPort: number;
  /** Where the compiled role entry lives (dist/scripts/bench/raw-baseline.js). */
  entry?: string;
  /** Each process's output is appended to <logDir>/raw-<role>.log. */
  logDir?: string;
}

/** Sets up, runs and tears down the three baseline processes of raw-baseline.ts. */
export class RawBaseline {
  private readonly children = new Map<RawRole, ChildProcess>();
  private readonly output = new Map<RawRole, string[]>();

  private constructor(private readonly options: RawBaselineOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.httpPort}`;
  }

  get schema(): string {
    return this.options.namespace;
  }

  static async start(options: RawBaselineOptions): Promise<RawBaseline> {
    const baseline = new RawBaseline(options);
    try {
      await baseline.provision();
      for (const role of RAW_ROLES) await baseline.spawn(role);
    } catch (error) {
      await baseline.dispose();
      throw error;
    }
    return baseline;
  }

  private async provision(): Promise<void> {
    const { databaseUrl, natsUrl, namespace, sites } = this.options;
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      for (const role of RAW_ROLES) for (const sql of schemaSql(namespace, role)) await client.query(sql);
      const s = `"${namespace}_rehab"`;
      await client.query(
        `INSERT INTO ${s}.site (id, level_rank, capacity) SELECT id, rank, 1000000000
           FROM unnest($1::text[], $2::int[]) AS t(id, rank)`,
        [sites.map((x) => x.id), sites.map((x) => LEVEL_RANK[x.level])],
      );
      await client.query(
        `INSERT INTO ${s}.site_area (division_code, site_id) SELECT code, id FROM unnest($1::text[], $2::text[]) AS t(id, code)`,
        [sites.map((x) => x.id), sites.map((x) => x.areaCode)],
      );
    } finally {
      await client.end();
    }
    const nc = await connect({ servers: natsUrl.split(',') });
    try {
      const jsm = await jetstreamManager(nc);
      const topology = rawTopology(namespace);
      await jsm.streams.add({
        name: topology.stream,
        subjects: [`${namespace}.referral.>`],
        storage: StorageType.File,
        duplicate_window: 20 * 60 * 1e9,
        num_replicas: 1,
      });
      for (const [durable, subject] of [
        [topology.durables.registration, topology.subjects.assessed],
        [topology.durables.rehab, topology.subjects.registered],
      ]) {
        await jsm.consumers.add(topology.stream, {
          durable_name: durable,
          filter_subject: subject,
          ack_policy: AckPolicy.Explicit,
          ack_wait: 30 * 1e9,
          max_ack_pending: 1000,
        });
      }
    } finally {
      await nc.close();
    }
  }

  private spawn(role: RawRole): Promise<void> {
    const entry = this.options.entry ?? path.join(__dirname, 'raw-baseline.js');
    const child = spawn(process.execPath, [entry, role], {
      env: {
        ...process.env,
        RAW_DATABASE_URL: this.options.databaseUrl,
        RAW_NATS_URL: this.options.natsUrl,
        RAW_SCHEMA: this.options.namespace,
        RAW_NAMESPACE: this.options.namespace,
        RAW_HTTP_PORT: String(this.options.httpPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(role, child);
    const lines: string[] = [];
    this.output.set(role, lines);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`raw ${role} not ready in 30 s: ${lines.join('')}`)),
        30_000,
      );
      const logFile = this.options.logDir ? path.join(this.options.logDir, `raw-${role}.log`) : undefined;
      if (logFile) fs.mkdirSync(path.dirname(logFile), { recursive: true });
      const onData = (chunk: Buffer) => {
        lines.push(chunk.toString());
        if (logFile) fs.appendFileSync(logFile, chunk);
        if (lines.length > 200) lines.shift();
        if (chunk.toString().includes('raw-baseline ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`raw ${role} exited (${signal ?? code}): ${lines.join('')}`));
      });
    });
  }

  usage(): { name: string; usage: ProcessUsage }[] {
    return [...this.children.entries()]
      .filter(([, child]) => child.pid !== undefined && child.exitCode === null)
      .map(([role, child]) => ({ name: `raw ${role}`, usage: processUsage(child.pid!) }));
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    this.children.clear();
  }

  /** Stops the processes, drops the schemas and deletes the stream. */
  async dispose(): Promise<void> {
    await this.stop();
    const client = new Client({ connectionString: this.options.databaseUrl });
    await client.connect();
    try {
      for (const role of RAW_ROLES) {
        await client.query(`DROP SCHEMA IF EXISTS "${this.options.namespace}_${role}" CASCADE`);
      }
    } finally {
      await client.end();
    }
    const nc = await connect({ servers: this.options.natsUrl.split(',') });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(rawTopology(this.options.namespace).stream).catch(() => undefined);
    } finally {
      await nc.close();
    }
  }
}
