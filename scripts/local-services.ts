/**
 * Postgres and NATS for `npm start`: find out whether they are reachable and, when they are not and their
 * binaries are installed, start local ones with their data under `.local/` (git-ignored). Nothing here stops
 * them again: they outlive the launcher like any dev database would (see `stopHints`).
 *
 * The pure functions (URL parsing, binary lookup, start plans, messages) take their inputs explicitly so the
 * unit specs in start.spec.ts can drive them without touching the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
// The apps' own defaults: `npm start` looks for Postgres and NATS where the apps will.
import { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL } from '@app/core';
import {
  existingLocalNatsSecurity,
  INSECURE_NATS_FLAG,
  LocalNatsSecurity,
  localNatsSecurityDir,
  natsServerInfo,
  prepareLocalNatsSecurity,
  unauthenticatedBusWarning,
} from './local-nats-security';

export const POSTGRES_DEFAULT_PORT = 5432;
export const NATS_DEFAULT_PORT = 4222;

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Host and port of a `postgres://` or `nats://` URL; brackets are stripped from IPv6 hosts. */
export function parseEndpoint(url: string, defaultPort: number): Endpoint {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.trim());
  } catch {
    parsed = undefined;
  }
  // Never echo the value: it may carry a password.
  if (!parsed?.hostname) {
    throw new Error('not a valid server URL (expected scheme://[user@]host[:port][/...])');
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  return { host, port };
}

/** NATS_URL may list several servers (`nats://a:4222,nats://b:4222`); the client needs any one of them. */
export function parseNatsEndpoints(natsUrl: string): Endpoint[] {
  const urls = natsUrl
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length === 0) throw new Error('NATS_URL is empty');
  return urls.map((u) => parseEndpoint(u, NATS_DEFAULT_PORT));
}

/** The URL with any password replaced, safe to print. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@/\s]*@/i, '$1:***@');
}

export function formatEndpoint(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}

/** Only a server on this machine's loopback interface can be replaced by a local one. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** True when a TCP connection to the endpoint opens within `timeoutMs`. */
export function canConnect(e: Endpoint, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: e.host, port: e.port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function anyReachable(endpoints: readonly Endpoint[], timeoutMs = 1000): Promise<boolean> {
  const results = await Promise.all(endpoints.map((e) => canConnect(e, timeoutMs)));
  return results.some(Boolean);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------------
// Finding binaries. `Probe` is the only window onto the file system, so specs can fake it.

export interface Probe {
  isExecutable(file: string): boolean;
  listDir(dir: string): string[];
  readFile(file: string): string | undefined;
  /** stdout of a command, or undefined when it cannot run or exits non-zero. */
  run(command: string, args: string[]): string | undefined;
}

export function findOnPath(name: string, pathEnv: string | undefined, probe: Probe): string | undefined {
  for (const dir of (pathEnv ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (probe.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** `nats-server` on PATH, else Debian's /usr/sbin/nats-server (sbin is often not on a user's PATH). */
export function findNatsServer(pathEnv: string | undefined, probe: Probe): string | undefined {
  const onPath = findOnPath('nats-server', pathEnv, probe);
  if (onPath) return onPath;
  return probe.isExecutable('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : undefined;
}

/** Newest first: '16' before '15' before '9.6'. */
export function compareVersionsDesc(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function hasServerBinaries(binDir: string, probe: Probe): boolean {
  return ['initdb', 'pg_ctl', 'postgres'].every((b) => probe.isExecutable(path.join(binDir, b)));
}

/**
 * The directory holding initdb/pg_ctl/postgres: what `pg_config --bindir` says (pg_config found on PATH),
 * else the newest /usr/lib/postgresql/<version>/bin (Debian keeps the server binaries off PATH).
 */
export function findPostgresBinDir(pathEnv: string | undefined, probe: Probe): string | undefined {
  const pgConfig = findOnPath('pg_config', pathEnv, probe);
  const fromPgConfig = pgConfig ? probe.run(pgConfig, ['--bindir'])?.trim() : undefined;
  if (fromPgConfig && hasServerBinaries(fromPgConfig, probe)) return fromPgConfig;
  const versions = probe
    .listDir('/usr/lib/postgresql')
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort(compareVersionsDesc);
  for (const v of versions) {
    const binDir = `/usr/lib/postgresql/${v}/bin`;
    if (hasServerBinaries(binDir, probe)) return binDir;
  }
  return undefined;
}

/** The `port = N` line of a postgresql.conf (5432 when absent or commented out). */
export function parsePgConfPort(conf: string): number {
  const match = /^[ \t]*port[ \t]*=[ \t]*'?(\d+)'?/m.exec(conf);
  return match ? Number(match[1]) : POSTGRES_DEFAULT_PORT;
}

export interface SystemCluster {
  readonly version: string;
  readonly name: string;
  readonly port: number;
}

/** Debian's postgresql-common clusters: /etc/postgresql/<version>/<name>/postgresql.conf. */
export function listSystemClusters(probe: Probe, etcDir = '/etc/postgresql'): SystemCluster[] {
  const clusters: SystemCluster[] = [];
  for (const version of probe.listDir(etcDir).sort(compareVersionsDesc)) {
    for (const name of probe.listDir(path.join(etcDir, version)).sort()) {
      const conf = probe.readFile(path.join(etcDir, version, name, 'postgresql.conf'));
      if (conf !== undefined) clusters.push({ version, name, port: parsePgConfPort(conf) });
    }
  }
  return clusters;
}

export type PostgresPlan =
  /** root on Debian: start the packaged cluster that listens on the wanted port. */
  | { readonly kind: 'system-cluster'; readonly cluster: SystemCluster }
  /** initdb + pg_ctl on .local/pg; as root through `runuser -u postgres` (postgres refuses to run as root). */
  | { readonly kind: 'local'; readonly binDir: string; readonly runAsPostgresUser: boolean }
  | { readonly kind: 'unavailable'; readonly reason: string };

export interface PostgresPlanInput {
  readonly port: number;
  readonly isRoot: boolean;
  readonly clusters: readonly SystemCluster[];
  readonly binDir: string | undefined;
  readonly hasPostgresUser: boolean;
  readonly hasRunuser: boolean;
}

export function planPostgresStart(input: PostgresPlanInput): PostgresPlan {
  if (input.isRoot) {
    const cluster = input.clusters.find((c) => c.port === input.port);
    if (cluster) return { kind: 'system-cluster', cluster };
  }
  if (!input.binDir) {
    return {
      kind: 'unavailable',
      reason: 'no PostgreSQL server binaries (initdb, pg_ctl, postgres) were found',
    };
  }
  if (input.isRoot && !(input.hasPostgresUser && input.hasRunuser)) {
    return {
      kind: 'unavailable',
      reason:
        'PostgreSQL refuses to run as root, and there is no `postgres` system user (or no runuser) to run it as',
    };
  }
  return { kind: 'local', binDir: input.binDir, runAsPostgresUser: input.isRoot };
}

export function natsServerArgs(e: Endpoint, storeDir: string, pidFile: string): string[] {
  return ['-a', e.host, '-p', String(e.port), '-js', '-sd', storeDir, '-P', pidFile];
}

export function initdbArgs(dataDir: string): string[] {
  return ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'];
}

export function pgCtlStartArgs(dataDir: string, logFile: string, e: Endpoint): string[] {
  return [
    '-D',
    dataDir,
    '-l',
    logFile,
    '-o',
    `-p ${e.port} -k /tmp -c listen_addresses=${e.host}`,
    '-w',
    '-t',
    '60',
    'start',
  ];
}

export type ServiceKind = 'postgres' | 'nats';

/** What to do when a server is missing and cannot be started: exactly how to get one. */
export function installHint(kind: ServiceKind, isRoot: boolean): string {
  const sudo = isRoot ? '' : 'sudo ';
  if (kind === 'postgres') {
    return [
      `  install it:   ${sudo}apt-get install -y postgresql   (Debian/Ubuntu; PostgreSQL 15 or newer)`,
      '  or point DATABASE_URL at a reachable server, e.g.',
      '                DATABASE_URL=postgres://postgres@db.internal:5432/referral_bus npm start',
    ].join('\n');
  }
  return [
    `  install it:   ${sudo}apt-get install -y nats-server   (Debian/Ubuntu; or a release from`,
    '                https://github.com/nats-io/nats-server/releases, put on PATH)',
    '  or point NATS_URL at a reachable server with JetStream enabled, e.g.',
    '                NATS_URL=nats://nats.internal:4222 npm start',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Side effects.

export const realProbe: Probe = {
  isExecutable(file) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  },
  listDir(dir) {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  },
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  run(command, args) {
    try {
      const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
      return result.status === 0 ? result.stdout : undefined;
    } catch {
      return undefined;
    }
  },
};

export class CommandError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
  }
}

/** Runs a command to completion, capturing stdout+stderr; rejects with the output on failure or timeout. */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new CommandError(`${command} could not run: ${err.message}`, ''));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolve(output);
      else {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new CommandError(`${[command, ...args].join(' ')} ${how}`, output));
      }
    });
  });
}

export function tailFile(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function postgresUserIds(): { uid: number; gid: number } | undefined {
  const uid = realProbe.run('id', ['-u', 'postgres'])?.trim();
  const gid = realProbe.run('id', ['-g', 'postgres'])?.trim();
  return uid && gid ? { uid: Number(uid), gid: Number(gid) } : undefined;
}

export function isRootUser(): boolean {
  return process.getuid?.() === 0;
}

export interface LocalPaths {
  readonly dir: string;
  readonly pgData: string;
  readonly pgLog: string;
  readonly natsStore: string;
  readonly natsLog: string;
  readonly natsPid: string;
}

export function localPaths(root: string): LocalPaths {
  const dir = path.join(root, '.local');
  return {
    dir,
    pgData: path.join(dir, 'pg'),
    pgLog: path.join(dir, 'pg.log'),
    natsStore: path.join(dir, 'nats'),
    natsLog: path.join(dir, 'nats.log'),
    natsPid: path.join(dir, 'nats.pid'),
  };
}

type Log = (line: string) => void;

/** Spawns nats-server detached (it outlives the launcher), logging to .local/nats.log. */
export function startLocalNats(
  binary: string,
  e: Endpoint,
  paths: LocalPaths,
  log: Log,
  configFile?: string,
): () => string | undefined {
  fs.mkdirSync(paths.natsStore, { recursive: true });
  const logFd = fs.openSync(paths.natsLog, 'a');
  const args = [
    ...(configFile ? ['-c', configFile] : []),
    ...natsServerArgs(e, paths.natsStore, paths.natsPid),
  ];
  log(
    `starting local NATS: ${binary} ${args.join(' ')} (log: ${path.relative(process.cwd(), paths.natsLog)})`,
  );
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited: string | undefined;
  child.once('error', (err) => (exited = `could not run: ${err.message}`));
  child.once(
    'exit',
    (code, signal) => (exited = signal ? `killed by ${signal}` : `exited with code ${code}`),
  );
  child.unref();
  return () => exited;
}

export async function startLocalPostgres(
  plan: Extract<PostgresPlan, { kind: 'system-cluster' | 'local' }>,
  e: Endpoint,
  paths: LocalPaths,
  log: Log,
): Promise<void> {
  if (plan.kind === 'system-cluster') {
    const { version, name } = plan.cluster;
    log(
      `starting the system PostgreSQL cluster: pg_ctlcluster --skip-systemctl-redirect ${version} ${name} start`,
    );
    await runCommand('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'start']);
    return;
  }
  const asPostgres = (cmd: string, args: string[]): [string, string[]] =>
    plan.runAsPostgresUser ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  fs.mkdirSync(paths.dir, { recursive: true });
  const initialised = fs.existsSync(path.join(paths.pgData, 'PG_VERSION'));
  if (plan.runAsPostgresUser) {
    // initdb and postgres must own their files; the launcher (root) creates them for the postgres user.
    const ids = postgresUserIds();
    if (!ids) throw new Error('cannot look up the uid/gid of the postgres user');
    fs.mkdirSync(paths.pgData, { recursive: true, mode: 0o700 });
    fs.chownSync(paths.pgData, ids.uid, ids.gid);
    fs.closeSync(fs.openSync(paths.pgLog, 'a'));
    fs.chownSync(paths.pgLog, ids.uid, ids.gid);
  }
  if (!initialised) {
    log(`initialising a local PostgreSQL data directory in ${path.relative(process.cwd(), paths.pgData)}`);
    await runCommand(...asPostgres(path.join(plan.binDir, 'initdb'), initdbArgs(paths.pgData)));
  }
  const args = pgCtlStartArgs(paths.pgData, paths.pgLog, e);
  log(
    `starting local PostgreSQL on ${formatEndpoint(e)} (log: ${path.relative(process.cwd(), paths.pgLog)})`,
  );
  await runCommand(...asPostgres(path.join(plan.binDir, 'pg_ctl'), args));
}

export class InfrastructureError extends Error {}

export interface InfraOptions {
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Log;
  /** How long to wait for both servers to accept TCP connections after starting them. */
  readonly deadlineMs: number;
  readonly probe?: Probe;
  /** `npm start -- --insecure-nats`: start a local NATS without nkeys and TLS. */
  readonly insecureNats?: boolean;
}

export interface InfraResult {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  /** How to stop what this run started (the servers keep running after the launcher exits). */
  readonly stopHints: string[];
  /** The local NATS users and TLS the apps connect with (absent: the apps use the inherited environment). */
  readonly natsSecurity?: LocalNatsSecurity;
  /** Set when the bus accepts connections without credentials: print it loudly. */
  readonly natsWarning?: string;
}

/**
 * How the apps reach a NATS that is already running: with the local users of an earlier `npm start` when it
 * requires authentication (and runs here), and with a loud warning when it requires none.
 */
export async function accessToRunningNats(
  nats: readonly Endpoint[],
  securityDir: string,
  env: NodeJS.ProcessEnv,
): Promise<Pick<InfraResult, 'natsSecurity' | 'natsWarning'>> {
  const infos = await Promise.all(nats.map((e) => natsServerInfo(e)));
  const reachable = nats.findIndex((_, i) => infos[i] !== undefined);
  const info = infos[reachable];
  if (info && !info.auth_required) {
    return {
      natsWarning: unauthenticatedBusWarning(
        formatEndpoint(nats[reachable]),
        'It was already running, so `npm start` did not start its secured local NATS.',
      ),
    };
  }
  const local = isLoopback(nats[Math.max(reachable, 0)].host) && !env.NATS_NKEY_SEED_FILE?.trim();
  const natsSecurity = local ? existingLocalNatsSecurity(securityDir) : undefined;
  return natsSecurity ? { natsSecurity } : {};
}

/**
 * Makes sure Postgres and NATS are reachable: (a) TCP check, (b) start local ones when possible,
 * (c) otherwise fail with install instructions, (d) wait with a deadline.
 */
export async function ensureInfrastructure(options: InfraOptions): Promise<InfraResult> {
  const { env, log, root } = options;
  const probe = options.probe ?? realProbe;
  const databaseUrl = env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  const natsUrl = env.NATS_URL?.trim() || DEFAULT_NATS_URL;
  let db: Endpoint;
  let nats: Endpoint[];
  try {
    db = parseEndpoint(databaseUrl, POSTGRES_DEFAULT_PORT);
    nats = parseNatsEndpoints(natsUrl);
  } catch (err) {
    throw new InfrastructureError(`DATABASE_URL / NATS_URL: ${(err as Error).message}`);
  }

  const [dbUp, natsUp] = await Promise.all([canConnect(db), anyReachable(nats)]);
  log(`Postgres ${formatEndpoint(db)}: ${dbUp ? 'reachable' : 'not reachable'}`);
  log(`NATS ${nats.map(formatEndpoint).join(', ')}: ${natsUp ? 'reachable' : 'not reachable'}`);
  const paths = localPaths(root);
  const securityDir = localNatsSecurityDir(paths.dir);
  let access: Pick<InfraResult, 'natsSecurity' | 'natsWarning'> = natsUp
    ? await accessToRunningNats(nats, securityDir, env)
    : {};
  if (dbUp && natsUp) return { databaseUrl, natsUrl, stopHints: [], ...access };

  const isRoot = isRootUser();
  const problems: string[] = [];
  const starters: Array<() => Promise<void>> = [];
  const stopHints: string[] = [];
  let natsExited: (() => string | undefined) | undefined;

  if (!dbUp) {
    if (!isLoopback(db.host)) {
      problems.push(
        `Postgres is not reachable at ${formatEndpoint(db)} (DATABASE_URL=${redactUrl(databaseUrl)}).\n` +
          '  That is not this machine, so no local server is started: start it, or point DATABASE_URL at a reachable one.',
      );
    } else {
      const plan = planPostgresStart({
        port: db.port,
        isRoot,
        clusters: isRoot ? listSystemClusters(probe) : [],
        binDir: findPostgresBinDir(env.PATH, probe),
        hasPostgresUser: isRoot && probe.run('id', ['-u', 'postgres']) !== undefined,
        hasRunuser:
          findOnPath('runuser', env.PATH, probe) !== undefined || probe.isExecutable('/usr/sbin/runuser'),
      });
      if (plan.kind === 'unavailable') {
        problems.push(
          `Postgres is not reachable at ${formatEndpoint(db)} and cannot be started here: ${plan.reason}.\n` +
            installHint('postgres', isRoot),
        );
      } else {
        starters.push(() => startLocalPostgres(plan, db, paths, log));
        stopHints.push(
          plan.kind === 'system-cluster'
            ? `pg_ctlcluster --skip-systemctl-redirect ${plan.cluster.version} ${plan.cluster.name} stop`
            : `${plan.runAsPostgresUser ? 'runuser -u postgres -- ' : ''}${path.join(plan.binDir, 'pg_ctl')} -D ${paths.pgData} stop`,
        );
      }
    }
  }

  if (!natsUp) {
    const local = nats.find((e) => isLoopback(e.host));
    const binary = findNatsServer(env.PATH, probe);
    if (!local) {
      problems.push(
        `NATS is not reachable at ${nats.map(formatEndpoint).join(', ')} (NATS_URL=${redactUrl(natsUrl)}).\n` +
          '  None of those is this machine, so no local server is started: start it, or point NATS_URL at a reachable one.',
      );
    } else if (!binary) {
      problems.push(
        `NATS is not reachable at ${formatEndpoint(local)} and no nats-server binary was found ` +
          '(looked on PATH and at /usr/sbin/nats-server).\n' +
          installHint('nats', isRoot),
      );
    } else {
      starters.push(() => {
        if (options.insecureNats) {
          access = {
            natsWarning: unauthenticatedBusWarning(
              formatEndpoint(local),
              `Started without credentials: ${INSECURE_NATS_FLAG}.`,
            ),
          };
          natsExited = startLocalNats(binary, local, paths, log);
        } else {
          const natsSecurity = prepareLocalNatsSecurity(securityDir, root);
          log(
            `NATS security: an nkey user per service and TLS, in ${path.relative(process.cwd(), securityDir)}`,
          );
          access = { natsSecurity };
          natsExited = startLocalNats(binary, local, paths, log, natsSecurity.configFile);
        }
        return Promise.resolve();
      });
      stopHints.push(`kill $(cat ${paths.natsPid})`);
    }
  }

  if (problems.length > 0) throw new InfrastructureError(problems.join('\n\n'));

  for (const start of starters) {
    try {
      await start();
    } catch (err) {
      const output = err instanceof CommandError && err.output ? `\n${err.output.trimEnd()}` : '';
      throw new InfrastructureError(`could not start a local server: ${(err as Error).message}${output}`);
    }
  }

  const deadline = Date.now() + options.deadlineMs;
  let dbReady = dbUp;
  let natsReady = natsUp;
  while (!(dbReady && natsReady)) {
    const natsFailure = natsExited?.();
    if (natsFailure) {
      throw new InfrastructureError(
        `local nats-server ${natsFailure}; last log lines:\n${tailFile(paths.natsLog)}`,
      );
    }
    if (Date.now() > deadline) {
      const missing = [
        !dbReady && `Postgres (log: ${paths.pgLog})`,
        !natsReady && `NATS (log: ${paths.natsLog})`,
      ];
      throw new InfrastructureError(
        `still not reachable after ${options.deadlineMs} ms: ${missing.filter(Boolean).join(', ')}`,
      );
    }
    await sleep(250);
    [dbReady, natsReady] = await Promise.all([dbReady || canConnect(db), natsReady || anyReachable(nats)]);
  }
  log('Postgres and NATS are reachable');
  return { databaseUrl, natsUrl, stopHints, ...access };
}
