import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { defaultSchemaOf, ServiceName, SERVICES } from '@app/contracts';
import { opsHeaders } from './auth';
import { TEST_DATABASE_URL } from './database';
import { deleteNamespaceStreams } from './jetstream';
import { uniqueName } from './names';
import { freePort } from './ports';
import { SHARED_NATS_URL } from './probe/probe-harness';

export interface FleetOptions {
  /** Started in this order (migrate + seed each first). */
  readonly apps: readonly ServiceName[];
  /** BUS_NAMESPACE of every app: isolates streams, subjects and consumers. */
  readonly namespace?: string;
  readonly databaseUrl?: string;
  /** One URL or a comma list (a cluster). */
  readonly natsUrl?: string;
  /** Extra environment for every app (and its migrate/seed runs). */
  readonly env?: NodeJS.ProcessEnv;
  readonly appEnv?: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  /** Run each app's seed (demo hospitals, channels, sites) after its migrations. Default true. */
  readonly seed?: boolean;
  /** Where each app's output is appended (`<app>.log`); a temp dir by default. */
  readonly logDir?: string;
  /** Headers for the readiness probe; by default an ops-viewer token signed with the development secret. */
  readonly readinessHeaders?: () => Record<string, string>;
  readonly readyTimeoutMs?: number;
  /** SIGTERM grace before SIGKILL in stop(). */
  readonly stopGraceMs?: number;
  /**
   * Processes per app (default 1), all on the app's one schema and the fleet's namespace, each on its own port
   * and log file (`<app>.log`, then `<app>-2.log`, …). Migrations and seed run once per app.
   */
  readonly replicas?: number;
  /**
   * Run as deployed: each app gets exactly `env` + `appEnv[app]` (nothing from this process, no test defaults,
   * no per-fleet DB_SCHEMA or BUS_NAMESPACE, so the apps' own defaults: give the fleet a private Postgres and
   * NATS), except what two processes on one host cannot share: HTTP_PORT, and METRICS_PORT when set, get a free
   * port per replica (each container has its own). `databaseUrl`/`natsUrl`/`namespace` only tell the fleet and
   * its checker where the apps' state is.
   */
  readonly asDeployed?: boolean;
  /** Run each app's `migrate.js up` before its first replica starts (default true; false when the caller did). */
  readonly migrate?: boolean;
}

export interface ProcessUsage {
  readonly rssBytes: number;
  /** VmHWM: the peak resident set since the process started. */
  readonly peakRssBytes: number;
  /** user + system CPU time. */
  readonly cpuSeconds: number;
}

/** Repository root: the nearest folder above this file holding package.json (works from src and dist). */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

function distFile(app: ServiceName, file: 'main' | 'migrate' | 'seed'): string {
  return path.join(repoRoot(), 'dist', 'apps', app, 'src', `${file}.js`);
}

const CLOCK_TICKS = 100;

/** RSS, peak RSS and CPU seconds of a live process, from /proc (Linux). */
export function processUsage(pid: number): ProcessUsage {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  // /proc/<pid>/stat: fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024, cpuSeconds: ticks / CLOCK_TICKS };
}

function runToEnd(file: string, args: string[], env: NodeJS.ProcessEnv, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${label} failed (${signal ?? `exit ${code}`}):\n${output}`)),
    );
  });
}

/** One app of a fleet: a child process on a port and schema that stay fixed across restarts. */
export class FleetApp {
  private child?: ChildProcess;
  private exit?: Promise<void>;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    readonly schema: string,
    /** The process's whole environment. */
    readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
    private readonly readinessHeaders: () => Record<string, string>,
    private readonly readyTimeoutMs: number,
    /** 1-based; the first replica is what `AppFleet.app()` returns. */
    readonly replica = 1,
    /** `name`, or `name #2` when the app runs as more than one process. */
    readonly label: string = name,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the app (if not running) and resolves once /health/ready answers 200. */
  async restart(): Promise<void> {
    if (!this.running) this.spawn();
    await this.waitReady(this.readyTimeoutMs);
  }

  async waitReady(timeoutMs = this.readyTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited; see ${this.logFile}:\n${this.tail()}`);
      try {
        const res = await fetch(`${this.url}/health/ready`, {
          headers: this.readinessHeaders(),
          signal: AbortSignal.timeout(2000),
        });
        if (res.status === 200) return;
        last = `HTTP ${res.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(
      `${this.name} not ready on ${this.url} within ${timeoutMs} ms (${last}):\n${this.tail()}`,
    );
  }

  /** Sends a signal; for SIGKILL/SIGTERM/SIGINT resolves once the process has exited. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running || !this.child) return;
    const exited = this.exit;
    this.child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') await exited;
  }

  /** SIGSTOP: the process stays alive but does nothing (no acks, no heartbeats) until resume(). */
  pause(): void {
    if (this.running) this.child!.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  usage(): ProcessUsage {
    if (!this.running || this.pid === undefined) throw new Error(`${this.name} is not running`);
    return processUsage(this.pid);
  }

  get logPath(): string {
    return this.logFile;
  }

  logText(): string {
    return fs.existsSync(this.logFile) ? fs.readFileSync(this.logFile, 'utf8') : '';
  }

  /** SIGTERM, then SIGKILL after the grace period. */
  async stop(graceMs: number): Promise<void> {
    if (!this.running || !this.child) return;
    const exited = this.exit!;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): void {
    const log = fs.openSync(this.logFile, 'a');
    const child = spawn(process.execPath, [distFile(this.name, 'main')], {
      env: this.env,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  private tail(): string {
    return this.logText().split('\n').slice(-30).join('\n');
  }
}

/**
 * The built apps (dist/) running as separate processes against real Postgres and NATS, each in its own schema,
 * all in one bus namespace: what fault and performance tests drive. Run `npm run build` first.
 */
export class AppFleet {
  /** Every app's replicas, the first one first. */
  private readonly apps = new Map<ServiceName, FleetApp[]>();
  private readonly seedOutput = new Map<ServiceName, string>();

  private constructor(
    readonly namespace: string,
    readonly databaseUrl: string,
    readonly natsUrl: string,
    readonly logDir: string,
    private readonly stopGraceMs: number,
  ) {}

  static async start(options: FleetOptions): Promise<AppFleet> {
    const namespace = options.namespace ?? (options.asDeployed ? '' : uniqueName('fl'));
    const databaseUrl = options.databaseUrl ?? TEST_DATABASE_URL;
    const natsUrl = options.natsUrl ?? SHARED_NATS_URL;
    const logDir = options.logDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `fleet-${namespace}-`));
    fs.mkdirSync(logDir, { recursive: true });
    for (const app of options.apps) {
      if (!fs.existsSync(distFile(app, 'main'))) {
        throw new Error(`${distFile(app, 'main')} is missing: run \`npm run build\` first`);
      }
    }
    const replicas = options.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas must be ≥ 1, got ${replicas}`);
    const fleet = new AppFleet(namespace, databaseUrl, natsUrl, logDir, options.stopGraceMs ?? 5000);
    const opsToken = await opsHeaders('ops-viewer');
    try {
      for (const name of options.apps) {
        const deployed: NodeJS.ProcessEnv = { ...options.env, ...options.appEnv?.[name] };
        const schema = options.asDeployed
          ? (deployed.DB_SCHEMA ?? defaultSchemaOf(name))
          : `${namespace}_${defaultSchemaOf(name)}`;
        const env: NodeJS.ProcessEnv = options.asDeployed
          ? deployed
          : {
              ...process.env,
              NODE_ENV: 'test',
              LOG_LEVEL: 'warn',
              // The fleet's load generators are one address and a few keys: the shared rate limits stay out of
              // the way unless a test sets them (options.env).
              RATE_LIMIT_PER_WINDOW: '1000000',
              RATE_LIMIT_IP_PER_WINDOW: '1000000',
              ...deployed,
              DATABASE_URL: databaseUrl,
              DB_SCHEMA: schema,
              NATS_URL: natsUrl,
              BUS_NAMESPACE: namespace,
              HTTP_HOST: '127.0.0.1',
            };
        if (options.migrate !== false) {
          await runToEnd(distFile(name, 'migrate'), ['up'], env, `${name} migrate`);
        }
        if (options.seed !== false && fs.existsSync(distFile(name, 'seed'))) {
          fleet.seedOutput.set(name, await runToEnd(distFile(name, 'seed'), [], env, `${name} seed`));
        }
        const started: FleetApp[] = [];
        fleet.apps.set(name, started);
        for (let replica = 1; replica <= replicas; replica++) {
          const port = await freePort();
          const metrics =
            options.asDeployed && env.METRICS_PORT && env.METRICS_PORT !== '0'
              ? { METRICS_PORT: String(await freePort()) }
              : {};
          const app = new FleetApp(
            name,
            port,
            schema,
            { ...env, HTTP_PORT: String(port), ...metrics },
            path.join(logDir, replica === 1 ? `${name}.log` : `${name}-${replica}.log`),
            options.readinessHeaders ?? (() => opsToken),
            options.readyTimeoutMs ?? 60_000,
            replica,
            replicas === 1 ? name : `${name} #${replica}`,
          );
          started.push(app);
          await app.restart();
        }
      }
    } catch (error) {
      await fleet.dispose();
      throw error;
    }
    return fleet;
  }

  /** The app's first replica (its only process unless the fleet was started with `replicas`). */
  app(name: ServiceName): FleetApp {
    return this.replicasOf(name)[0];
  }

  /** Every process of one app, the first replica first. */
  replicasOf(name: ServiceName): FleetApp[] {
    const replicas = this.apps.get(name);
    if (!replicas || replicas.length === 0) throw new Error(`${name} is not part of this fleet`);
    return [...replicas];
  }

  /** Every process of the fleet (all replicas of every app). */
  all(): FleetApp[] {
    return [...this.apps.values()].flat();
  }

  /** What an app's seed printed (demo keys are shown once there). */
  seedLog(name: ServiceName): string {
    return this.seedOutput.get(name) ?? '';
  }

  /** A demo hospital's API key as printed by hospital-intake's seed (the first one unless an id is given). */
  hospitalKey(hospitalId?: string): string {
    const keys = [...this.seedLog(SERVICES.hospitalIntake).matchAll(/^\s+(\S+)\s+X-API-Key: (\S+)$/gm)];
    const found = hospitalId ? keys.find((k) => k[1] === hospitalId) : keys[0];
    if (!found)
      throw new Error(`no API key for ${hospitalId ?? 'any hospital'} in the hospital-intake seed output`);
    return found[2];
  }

  /** Ids of the demo hospitals the seed issued keys for. */
  hospitalIds(): string[] {
    return [...this.seedLog(SERVICES.hospitalIntake).matchAll(/^\s+(\S+)\s+X-API-Key: \S+$/gm)].map(
      (k) => k[1],
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((a) => a.stop(this.stopGraceMs)));
  }

  /** Stops the apps, drops their schemas and deletes the namespace's streams. */
  async dispose(): Promise<void> {
    await this.stop();
    const client = new Client({ connectionString: this.databaseUrl });
    try {
      await client.connect();
      for (const schema of new Set(this.all().map((a) => a.schema))) {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    } catch {
      // database gone: nothing to drop
    } finally {
      await client.end().catch(() => undefined);
    }
    // The apps' own (empty) namespace: the fleet's private NATS goes away with it.
    if (this.namespace !== '') await deleteNamespaceStreams(this.natsUrl, this.namespace);
  }
}
