import { ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ComposeFile, ComposeService, readEnvFile } from '@app/testing/compose';
import { LocalPostgres, natsServerBinary, postgresBinDir, waitFor } from '@app/testing';

const run = promisify(execFile);
export const REPO = join(__dirname, '..', '..', '..');

/** Loopback ports standing in for one compose NATS service's container ports. */
export interface NodePorts {
  readonly client: number;
  readonly cluster: number;
  readonly monitor: number;
}

/**
 * Where the compose file's host paths land here: `../.local/nats` (keys and TLS written by
 * `npm run nats:config -- --keys … --dev-tls …`) is a temp folder; every other bind source is the repository's
 * file as it is.
 */
export function hostPathOf(source: string, localNats: string): string {
  const composeLocal = join(REPO, '.local', 'nats');
  return source === composeLocal || source.startsWith(`${composeLocal}/`)
    ? join(localNats, relative(composeLocal, source))
    : source;
}

/** One text edit, which must match exactly `count` times (the files changed: the test says so, not silently). */
function edit(text: string, from: string | RegExp, to: string, file: string, count = 1): string {
  const pattern =
    typeof from === 'string' ? new RegExp(from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'g') : from;
  const found = text.match(pattern)?.length ?? 0;
  if (found !== count) throw new Error(`${file}: expected ${count} × ${String(from)}, found ${found}`);
  return text.replace(pattern, to);
}

/** Lines that differ between two versions of a file (same line count: the edits replace or blank lines). */
export function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  return a.flatMap((line, i) => (line === b[i] ? [] : [`- ${line.trim()}\n+ ${b[i]?.trim() ?? ''}`]));
}

/**
 * A compose NATS service run as a local nats-server: its volumes laid out under `root` (the container's `/`),
 * its config files copied from docker/nats and only the host-specific parts rewritten:
 * - `listen: 0.0.0.0:4222`, `http: 0.0.0.0:8222` and the cluster's `listen: 0.0.0.0:6222` → 127.0.0.1 ports;
 * - the container paths of its mounts (`/etc/nats/tls/…`, `store_dir: /data`) → the same paths under `root`;
 * - `sync_interval: always` is blanked: nats-server 2.9.10 here rejects the field (it needs 2.10);
 * - in its environment (the compose `env_file`s), `@nats-N:6222` in the route URLs → `@127.0.0.1:<port of N>`.
 * Users, permissions, TLS (client port and routes, verify both ways), the route user and password, JetStream
 * limits and lame-duck settings stay as written.
 */
export class NativeNatsNode {
  private child?: ChildProcess;
  private output = '';
  /** Per config file (relative to root): the lines the rewrite changed. */
  readonly rewritten: Record<string, string[]> = {};

  constructor(
    readonly service: ComposeService,
    readonly ports: NodePorts,
    readonly root: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.ports.client}`;
  }

  /** Copies the mounts and rewrites them; returns the server's environment (its env_files, routes rewritten). */
  prepare(localNats: string, all: ReadonlyMap<string, NodePorts>): NodeJS.ProcessEnv {
    const targets = this.service.volumes.map((v) => v.target).sort((a, b) => b.length - a.length);
    const configs: string[] = [];
    for (const volume of this.service.volumes) {
      const to = join(this.root, volume.target);
      mkdirSync(dirname(to), { recursive: true });
      if (volume.named) mkdirSync(to, { recursive: true });
      else {
        const from = hostPathOf(volume.source, localNats);
        if (from.endsWith('.conf')) {
          copyFileSync(from, to);
          configs.push(volume.target);
        } else cpSync(from, to, { recursive: true });
      }
    }
    for (const target of configs) {
      const file = join(this.root, target);
      const before = readFileSync(file, 'utf8');
      let text = before;
      for (const path of targets) {
        const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        text = text.replace(new RegExp(`(?<=[\\s"])${escaped}(?=[/"\\s])`, 'g'), join(this.root, path));
      }
      if (target === this.configTarget) {
        text = edit(text, 'listen: 0.0.0.0:4222', `listen: 127.0.0.1:${this.ports.client}`, target);
        text = edit(text, 'http: 0.0.0.0:8222', `http: 127.0.0.1:${this.ports.monitor}`, target);
        text = edit(text, 'listen: 0.0.0.0:6222', `listen: 127.0.0.1:${this.ports.cluster}`, target);
        text = edit(text, /^\s*sync_interval: always$/m, '', target);
      }
      writeFileSync(file, text);
      this.rewritten[target] = changedLines(before, text);
    }
    const env: NodeJS.ProcessEnv = {};
    for (const file of this.service.envFiles) Object.assign(env, readEnvFile(hostPathOf(file, localNats)));
    for (const [key, value] of Object.entries(env)) {
      env[key] = value!.replace(/@(nats-\d+):6222\b/g, (whole, host: string) => {
        const ports = all.get(host);
        if (!ports) throw new Error(`${key} names ${host}, which is no NATS service`);
        return `@127.0.0.1:${ports.cluster}`;
      });
    }
    return env;
  }

  /** `--config <file>`: the path the compose command names. */
  get configTarget(): string {
    const command = this.service.command ?? [];
    return command[command.indexOf('--config') + 1];
  }

  start(env: NodeJS.ProcessEnv): void {
    const args = (this.service.command ?? []).map((a) => (a.startsWith('/') ? join(this.root, a) : a));
    const child = spawn(natsServerBinary(), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.child = child;
  }

  get log(): string {
    return this.output;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The compose healthcheck (`wget …:8222/healthz`) against this node's monitoring port: 200 once it is up. */
  async healthy(): Promise<boolean> {
    if (!this.running) throw new Error(`${this.service.name} exited:\n${this.output}`);
    const command = this.service.healthcheck ?? [];
    const url = command.find((a) => a.startsWith('http://'));
    if (!url) throw new Error(`${this.service.name}: no healthcheck URL in ${command.join(' ')}`);
    const response = await fetch(url.replace(':8222/', `:${this.ports.monitor}/`), {
      signal: AbortSignal.timeout(2000),
    }).catch(() => undefined);
    return response?.status === 200;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * The compose `postgres` service as a LocalPostgres: its `command`'s `-c` settings, then what the image's
 * entrypoint does with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB (a superuser login and its database),
 * then its healthcheck (`pg_isready -U … -d …`, against the loopback port).
 */
export async function startComposePostgres(service: ComposeService): Promise<LocalPostgres> {
  const [binary, ...args] = service.command ?? [];
  if (binary !== 'postgres') throw new Error(`postgres command: ${service.command?.join(' ')}`);
  const pg = await LocalPostgres.start({ serverArgs: args });
  const { POSTGRES_USER: user, POSTGRES_PASSWORD: password, POSTGRES_DB: database } = service.environment;
  const admin = new Client({ connectionString: pg.url() });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE "${user}" LOGIN SUPERUSER PASSWORD '${password.replace(/'/g, "''")}'`);
    await admin.query(`CREATE DATABASE "${database}" OWNER "${user}"`);
  } finally {
    await admin.end();
  }
  const check = service.healthcheck?.[1] ?? '';
  const [tool, ...checkArgs] = check.split(/\s+/);
  if (tool !== 'pg_isready') throw new Error(`postgres healthcheck: ${check}`);
  await waitFor(
    async () => {
      try {
        await run(join(postgresBinDir(), tool), [...checkArgs, '-h', '127.0.0.1', '-p', String(pg.port)]);
        return true;
      } catch {
        return false;
      }
    },
    { timeoutMs: 30_000, message: 'postgres healthcheck' },
  );
  return pg;
}

/** The `ENV` of the Dockerfile's last stage (what every app container starts with before compose's). */
export function imageEnv(app: string): NodeJS.ProcessEnv {
  const dockerfile = readFileSync(join(REPO, 'docker', 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const last = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const env: NodeJS.ProcessEnv = {};
  for (const line of last.matchAll(/^ENV (.+)$/gm)) {
    for (const pair of line[1].trim().split(/\s+/)) {
      const at = pair.indexOf('=');
      env[pair.slice(0, at)] = pair.slice(at + 1).replace('${APP}', app);
    }
  }
  return env;
}

/** The compose file's services of one kind, in file order. */
export function servicesWhere(
  compose: ComposeFile,
  test: (service: ComposeService) => boolean,
): ComposeService[] {
  return Object.values(compose.services).filter(test);
}
