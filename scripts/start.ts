/**
 * `npm start`: make sure Postgres and NATS are up (starting local ones under .local/ when needed), migrate and
 * seed every app, run them all as child processes with prefixed output, wait until each answers
 * /health/ready, and stop them all together.
 *
 * Environment: APPS=a,b (subset of apps), START_NO_WAIT=1 (skip the readiness gate),
 * START_READY_TIMEOUT_MS (default 60000), START_INFRA_TIMEOUT_MS (default 30000),
 * START_STEP_TIMEOUT_MS (per migrate/seed run, default 300000), plus everything the apps read
 * (DATABASE_URL, NATS_URL, HTTP_HOST, LOG_LEVEL, SHUTDOWN_GRACE_MS, ...). HTTP_PORT is set per app.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadAuthConfig, mintOpsToken } from '@app/auth';
import { isServiceName, SERVICE_CATALOGUE, staffPagePathOf } from '@app/contracts';
import { LocalNatsSecurity, natsSecurityEnv, parseStartArgs } from './local-nats-security';
import { canConnect, ensureInfrastructure, InfrastructureError, sleep } from './local-services';
import { DB_LOGINS_DIR, main as provisionBus, provisionDatabaseLogins } from './provision';

export interface AppSpec {
  readonly name: string;
  readonly port: number;
}

/** Every app, in start order, with its default HTTP port: the service catalogue the apps use. */
export const APPS: readonly AppSpec[] = SERVICE_CATALOGUE.map(({ name, port }) => ({ name, port }));

/** The apps named in `APPS` (comma list), in the canonical order; all of them when unset. */
export function selectApps(all: readonly AppSpec[], list: string | undefined): AppSpec[] {
  const wanted = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (wanted.length === 0) return [...all];
  const unknown = wanted.filter((w) => !all.some((a) => a.name === w));
  if (unknown.length > 0) {
    throw new Error(
      `APPS names unknown app(s): ${unknown.join(', ')}; known: ${all.map((a) => a.name).join(', ')}`,
    );
  }
  return all.filter((a) => wanted.includes(a.name));
}

export function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

export function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The nearest directory at or above `from` holding a package.json (dist/scripts → repo root). */
export function findRepoRoot(from: string, exists: (file: string) => boolean = fs.existsSync): string {
  let dir = path.resolve(from);
  for (;;) {
    if (exists(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json at or above ${from}`);
    dir = parent;
  }
}

export function appFiles(root: string, app: string): { main: string; migrate: string; seed: string } {
  const dir = path.join(root, 'dist', 'apps', app, 'src');
  return {
    main: path.join(dir, 'main.js'),
    migrate: path.join(dir, 'migrate.js'),
    seed: path.join(dir, 'seed.js'),
  };
}

/** Where to reach an app bound to HTTP_HOST: wildcard binds are probed on loopback. */
export function probeHost(httpHost: string | undefined): string {
  const host = httpHost?.trim() || '127.0.0.1';
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host;
}

export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function childEnv(
  base: NodeJS.ProcessEnv,
  app: AppSpec,
  infra: { databaseUrl: string; natsUrl: string; natsSecurity?: LocalNatsSecurity },
): NodeJS.ProcessEnv {
  return {
    ...base,
    DATABASE_URL: infra.databaseUrl,
    NATS_URL: infra.natsUrl,
    HTTP_PORT: String(app.port),
    ...(infra.natsSecurity ? natsSecurityEnv(infra.natsSecurity, app.name) : {}),
  };
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

/** An orderly stop: the app exited 0, or re-raised the SIGTERM/SIGINT it was asked to stop with. */
export function isCleanExit(code: number | null, signal: NodeJS.Signals | null): boolean {
  return code === 0 || signal === 'SIGTERM' || signal === 'SIGINT';
}

/** Splits a child's output into lines and prefixes each; a partial last line waits for the next chunk. */
export class LinePrefixer {
  private pending = '';

  constructor(
    private readonly prefix: string,
    private readonly write: (text: string) => void,
    private readonly maxPending = 64 * 1024,
  ) {}

  push(chunk: string): void {
    const lines = (this.pending + chunk).split('\n');
    this.pending = lines.pop() ?? '';
    if (this.pending.length > this.maxPending) {
      lines.push(this.pending);
      this.pending = '';
    }
    if (lines.length > 0) this.write(lines.map((l) => `${this.prefix} ${l.replace(/\r$/, '')}\n`).join(''));
  }

  flush(): void {
    if (this.pending !== '') this.write(`${this.prefix} ${this.pending.replace(/\r$/, '')}\n`);
    this.pending = '';
  }
}

const COLOURS = [36, 33, 35, 32, 34, 91, 96];

/** `[app]` padded to the longest name, coloured on a terminal. */
export function prefixFor(name: string, width: number, index: number, colour: boolean): string {
  const label = `[${name}]`.padEnd(width + 2);
  return colour ? `\u001b[${COLOURS[index % COLOURS.length]}m${label}\u001b[0m` : label;
}

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function readyBanner(apps: readonly AppSpec[], host: string, checked: boolean): string {
  const rows = apps.map((a) => {
    const url = baseUrl(host, a.port);
    return [a.name, `${url}/docs`, `${url}/metrics`, `${url}/health/ready`];
  });
  const title = checked
    ? `referral-bus is ready: ${apps.length} app(s) answer /health/ready with 200`
    : `referral-bus started ${apps.length} app(s) (START_NO_WAIT=1: readiness not checked)`;
  return [
    '',
    `=== ${title} ===`,
    formatTable(['app', 'docs', 'metrics', 'ready'], rows),
    'Press Ctrl-C to stop them.',
    '',
  ].join('\n');
}

export interface DemoKey {
  readonly organisation: string;
  readonly kind: string;
  readonly key: string;
}

/** The organisation kind of a seed's key lines that do not name one (`[kind]`). */
const SEED_KEY_KIND: Readonly<Record<string, string>> = {
  'hospital-intake': 'hospital',
  'rehab-site': 'site',
  'employment-referral': 'employment-provider',
};

/**
 * The demo keys a seed printed (`  <id> [kind]  X-API-Key: <key>`, `  demo key <id> (<name>): X-API-Key: <key>`).
 * Seeds print none in production.
 */
export function parseDemoKeys(app: string, seedOutput: string): DemoKey[] {
  const lines = seedOutput.matchAll(
    /^\s+(?:demo key )?(\S+)(?: \[([a-z-]+)\])?(?: \([^)]*\))?:?\s+X-API-Key: (\S+)$/gm,
  );
  return [...lines].map((m) => ({ organisation: m[1], kind: m[2] ?? SEED_KEY_KIND[app] ?? app, key: m[3] }));
}

/** A demo staff account a seed printed (`  demo staff <organisation>: username <u> password <p>`). */
export interface DemoStaff {
  readonly app: string;
  readonly organisation: string;
  readonly username: string;
  readonly password: string;
}

export function parseDemoStaff(app: string, seedOutput: string): DemoStaff[] {
  const lines = seedOutput.matchAll(/^\s+demo staff (\S+): username (\S+) password (\S+)$/gm);
  return [...lines].map((m) => ({ app, organisation: m[1], username: m[2], password: m[3] }));
}

/** The path of the staff page an app serves (where its demo staff sign in), from the service catalogue. */
export function staffPagePath(app: string): string {
  return (isServiceName(app) && staffPagePathOf(app)) || '';
}

/**
 * Printed after the ready banner outside production: the demo keys, the demo staff sign-ins with the page to
 * open (the site workbench, the hospital's green-channel desk) and how to get an ops token. `pageUrl` gives an
 * app's page address (its base URL and staffPagePath).
 */
export function demoKeysBanner(
  keys: readonly DemoKey[],
  seeded: readonly string[],
  env: NodeJS.ProcessEnv,
  staff: readonly DemoStaff[] = [],
  pageUrl: (app: string) => string = staffPagePath,
): string {
  if (env.NODE_ENV === 'production') return '';
  const lines = ['', '=== demo API keys (development only; send as X-API-Key) ==='];
  if (keys.length > 0)
    lines.push(
      formatTable(
        ['organisation', 'kind', 'key'],
        keys.map((k) => [k.organisation, k.kind, k.key]),
      ),
    );
  if (staff.length > 0) {
    lines.push(
      '=== demo staff sign-ins (open the page in a browser; more people: POST /v1/staff/accounts) ===',
      formatTable(
        ['page', 'organisation', 'username', 'password'],
        staff.map((s) => [pageUrl(s.app), s.organisation, s.username, s.password]),
      ),
    );
  }
  if (seeded.includes('hospital-intake') && !keys.some((k) => k.kind === 'hospital')) {
    lines.push(
      'hospital keys are printed only by the run that issues them (only their sha256 is kept): see docs/operations.md',
    );
  }
  if (!env.OPS_JWT_PUBLIC_KEY?.trim()) {
    lines.push(
      'ops token (development secret unless OPS_JWT_SECRET is set): npm run -s ops:token -- --role ops-admin',
    );
  }
  return `${lines.join('\n')}\n\n`;
}

function log(line: string): void {
  process.stdout.write(`[start] ${line}\n`);
}

function logError(line: string): void {
  process.stderr.write(`[start] ${line}\n`);
}

// ---------------------------------------------------------------------------------------------------------
// Migrate and seed: one app at a time, failing fast with that app's output.

class LaunchError extends Error {}

function runStep(
  label: string,
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; onSpawn: (c?: ChildProcess) => void },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [file, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.onSpawn(child);
    const output: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (c: string) => output.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => output.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      options.onSpawn(undefined);
      reject(new LaunchError(`${label}: could not run ${file}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      options.onSpawn(undefined);
      if (code === 0) {
        log(`${label}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve(output.join(''));
        return;
      }
      const prefixer = new LinePrefixer(`[${label}]`, (t) => process.stderr.write(t));
      prefixer.push(output.join(''));
      prefixer.flush();
      const why = timedOut ? `timed out after ${options.timeoutMs} ms` : describeExit(code, signal);
      reject(new LaunchError(`${label} failed (${why}); its output is above`));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Readiness.

/** `200`, `503`, ... or why no answer came (`ECONNREFUSED`, `timeout`). */
export async function readinessStatus(
  url: string,
  timeoutMs = 2000,
  headers: Record<string, string> = {},
): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers });
    await res.arrayBuffer();
    return String(res.status);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
    return e.cause?.code ?? e.message;
  }
}

/**
 * Readiness needs an ops JWT: `OPS_TOKEN` when given, otherwise a short-lived ops-viewer token minted with
 * OPS_JWT_SECRET (or the development secret outside production).
 */
export async function readinessHeaders(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const given = env.OPS_TOKEN?.trim();
  if (given) return { authorization: `Bearer ${given}` };
  const config = loadAuthConfig(env);
  if (!config.jwtSecret) return {};
  const token = await mintOpsToken(config, { subject: 'npm-start', roles: ['ops-viewer'], ttlSeconds: 900 });
  return { authorization: `Bearer ${token}` };
}

async function waitForReady(
  apps: readonly AppSpec[],
  host: string,
  deadlineMs: number,
  stopped: () => boolean,
  headers: Record<string, string>,
): Promise<{ ok: boolean; rows: string[][] }> {
  const deadline = Date.now() + deadlineMs;
  const status = new Map<string, string>(apps.map((a) => [a.name, 'pending']));
  let lastReport = Date.now();
  for (;;) {
    // Every app, every round: "all ready" means all at the same time, not each at some point.
    const results = await Promise.all(
      apps.map((a) => readinessStatus(`${baseUrl(host, a.port)}/health/ready`, 2000, headers)),
    );
    apps.forEach((a, i) => status.set(a.name, results[i]));
    const rows = apps.map((a) => [a.name, `${baseUrl(host, a.port)}/health/ready`, status.get(a.name) ?? '']);
    const waiting = apps.filter((a) => status.get(a.name) !== '200');
    if (waiting.length === 0) return { ok: true, rows };
    if (stopped() || Date.now() > deadline) return { ok: false, rows };
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      log(`waiting for /health/ready: ${waiting.map((a) => `${a.name} (${status.get(a.name)})`).join(', ')}`);
    }
    await sleep(500);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Running the apps.

/** Owns the app processes: if one exits on its own the rest are stopped; stopping is bounded. */
class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  private stopRequestedAt = 0;
  private exitCode = 0;
  private killTimer?: NodeJS.Timeout;
  private resolveDone!: (code: number) => void;
  readonly done = new Promise<number>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly graceMs: number) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  spawn(app: AppSpec, file: string, env: NodeJS.ProcessEnv, cwd: string, prefix: string): void {
    // Own process group: a terminal Ctrl-C reaches only the launcher, which sends each app exactly one
    // SIGTERM (a second signal during a Nest shutdown would kill it mid-drain).
    const child = spawn(process.execPath, [file], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.children.set(app.name, child);
    const out = new LinePrefixer(prefix, (t) => process.stdout.write(t));
    const err = new LinePrefixer(prefix, (t) => process.stderr.write(t));
    child.stdout.setEncoding('utf8').on('data', (c: string) => out.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => err.push(c));
    let ended = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (ended) return;
      ended = true;
      out.flush();
      err.flush();
      this.onExit(app, code, signal, error);
    };
    child.once('error', (e) => onEnd(null, null, e));
    child.once('close', (code, signal) => onEnd(code, signal));
    log(`${app.name}: started (pid ${child.pid ?? '?'}, port ${app.port})`);
  }

  private onExit(app: AppSpec, code: number | null, signal: NodeJS.Signals | null, error?: Error): void {
    this.children.delete(app.name);
    const how = error ? `could not run: ${error.message}` : describeExit(code, signal);
    if (!this.stopping) {
      logError(`${app.name} exited unexpectedly (${how}); stopping the others`);
      this.stop(1);
    } else {
      log(`${app.name}: stopped (${how})`);
      if (error || !isCleanExit(code, signal)) this.exitCode = 1;
    }
    if (this.stopping && this.children.size === 0) {
      if (this.killTimer) clearTimeout(this.killTimer);
      this.resolveDone(this.exitCode);
    }
  }

  /** SIGTERM to every app, SIGKILL to those still running after the grace period. */
  stop(exitCode: number): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopRequestedAt = Date.now();
    this.exitCode = exitCode;
    if (this.children.size === 0) {
      this.resolveDone(this.exitCode);
      return;
    }
    this.signalAll('SIGTERM');
    this.killTimer = setTimeout(() => {
      logError(`still running after ${this.graceMs} ms: ${[...this.children.keys()].join(', ')}; killing`);
      this.exitCode = 1;
      this.signalAll('SIGKILL');
    }, this.graceMs);
  }

  onSignal(signal: NodeJS.Signals): void {
    if (!this.stopping) {
      log(`${signal} received; stopping ${this.children.size} app(s)`);
      this.stop(0);
    } else if (Date.now() - this.stopRequestedAt > 2000) {
      // npm forwards the terminal's signal too, so only a later, separate one means "hurry up".
      logError(`${signal} received again; killing ${[...this.children.keys()].join(', ')}`);
      this.exitCode = 1;
      this.signalAll('SIGKILL');
    }
  }

  signalAll(signal: NodeJS.Signals): void {
    for (const child of this.children.values()) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  }
}

export async function main(
  env: NodeJS.ProcessEnv = process.env,
  argv: readonly string[] = process.argv.slice(2),
): Promise<number> {
  const root = findRepoRoot(__dirname);
  let apps: AppSpec[];
  let insecureNats: boolean;
  try {
    apps = selectApps(APPS, env.APPS);
    ({ insecureNats } = parseStartArgs(argv));
  } catch (err) {
    throw new LaunchError((err as Error).message);
  }
  const host = probeHost(env.HTTP_HOST);
  const supervisor = new Supervisor(positiveInt(env.SHUTDOWN_GRACE_MS, 10_000) + 5_000);
  let appsStarted = false;
  let step: ChildProcess | undefined;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (appsStarted) {
      supervisor.onSignal(signal);
      return;
    }
    logError(`${signal} received before the apps were started; exiting`);
    step?.kill('SIGTERM');
    process.exit(130);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
  // If the launcher itself dies, do not leave the (detached) apps running.
  process.on('exit', () => supervisor.signalAll('SIGTERM'));

  for (const app of apps) {
    const files = appFiles(root, app.name);
    for (const file of [files.main, files.migrate]) {
      if (!fs.existsSync(file)) {
        throw new LaunchError(
          `${path.relative(root, file)} is missing: run \`npm run build\` (npm start does this)`,
        );
      }
    }
  }

  log(`apps: ${apps.map((a) => a.name).join(', ')}`);
  const infra = await ensureInfrastructure({
    root,
    env,
    log,
    deadlineMs: positiveInt(env.START_INFRA_TIMEOUT_MS, 30_000),
    insecureNats,
  });
  if (infra.natsWarning) process.stderr.write(infra.natsWarning + '\n');
  if (infra.natsSecurity) {
    // The apps' NATS users may not create streams or durables: the admin step does it first.
    await provisionBus({ ...env, NATS_URL: infra.natsUrl, ...natsSecurityEnv(infra.natsSecurity, 'admin') });
  }

  const stepTimeoutMs = positiveInt(env.START_STEP_TIMEOUT_MS, 300_000);
  const demoKeys: DemoKey[] = [];
  const demoStaff: DemoStaff[] = [];
  const seeded: string[] = [];
  for (const app of apps) {
    const files = appFiles(root, app.name);
    const options = {
      cwd: root,
      env: childEnv(env, app, infra),
      timeoutMs: stepTimeoutMs,
      onSpawn: (c?: ChildProcess) => (step = c),
    };
    await runStep(`${app.name} migrate`, files.migrate, ['up'], options);
    if (fs.existsSync(files.seed)) {
      seeded.push(app.name);
      const output = await runStep(`${app.name} seed`, files.seed, [], options);
      demoKeys.push(...parseDemoKeys(app.name, output));
      demoStaff.push(...parseDemoStaff(app.name, output));
    }
  }

  // Each app runs as its own database login (no superuser, no BYPASSRLS, only its schema's runtime role);
  // migrations and seeds above ran as DATABASE_URL, the owner.
  const logins = await provisionDatabaseLogins(
    { ...env, DATABASE_URL: infra.databaseUrl },
    apps.map((a) => a.name),
    path.join(root, DB_LOGINS_DIR),
  );
  log(`database logins: ${[...logins.values()].map((url) => new URL(url).username).join(', ')}`);

  const busy = await Promise.all(apps.map((a) => canConnect({ host, port: a.port }, 500)));
  const taken = apps.filter((_, i) => busy[i]);
  if (taken.length > 0) {
    throw new LaunchError(
      `port(s) already in use: ${taken.map((a) => `${a.port} (${a.name})`).join(', ')}; ` +
        'is another `npm start` still running?',
    );
  }

  appsStarted = true;
  const width = Math.max(...apps.map((a) => a.name.length));
  const colour = process.stdout.isTTY === true && env.NO_COLOR === undefined;
  apps.forEach((app, i) => {
    const file = appFiles(root, app.name).main;
    const appInfra = { ...infra, databaseUrl: logins.get(app.name) ?? infra.databaseUrl };
    supervisor.spawn(app, file, childEnv(env, app, appInfra), root, prefixFor(app.name, width, i, colour));
  });

  const noWait = isTruthy(env.START_NO_WAIT);
  if (!noWait) {
    const deadlineMs = positiveInt(env.START_READY_TIMEOUT_MS, 60_000);
    const headers = await readinessHeaders(env);
    const result = await waitForReady(apps, host, deadlineMs, () => supervisor.isStopping, headers);
    if (supervisor.isStopping) return supervisor.done;
    log(`readiness:\n${formatTable(['app', 'url', 'status'], result.rows)}`);
    if (!result.ok) {
      logError(
        `not every app answered /health/ready with 200 within ${deadlineMs} ms; stopping ` +
          '(see the app output above; START_NO_WAIT=1 starts them without this gate)',
      );
      supervisor.stop(1);
      return supervisor.done;
    }
  }
  process.stdout.write(readyBanner(apps, host, !noWait));
  const pageUrl = (name: string) => {
    const app = apps.find((a) => a.name === name);
    return app ? `${baseUrl(host, app.port)}${staffPagePath(name)}` : name;
  };
  process.stdout.write(demoKeysBanner(demoKeys, seeded, env, demoStaff, pageUrl));
  if (infra.natsWarning) process.stderr.write(infra.natsWarning + '\n');
  if (infra.stopHints.length > 0) {
    log(
      `local servers started by this run keep running after it; stop them with:\n  ${infra.stopHints.join('\n  ')}`,
    );
  }
  return supervisor.done;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof InfrastructureError || err instanceof LaunchError) logError(err.message);
      else logError(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
