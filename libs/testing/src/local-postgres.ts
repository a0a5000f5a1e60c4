import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { portOpen } from './nats-server';
import { freePort } from './ports';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** The newest /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter(
          (v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'pg_ctl')),
        )
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0)
    throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql');
  return join(root, versions[0], 'bin');
}

/** uid/gid of the `postgres` account, which the server must run as when we are root (it refuses root). */
function postgresAccount(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/**
 * A private PostgreSQL cluster in a temp dir on a free loopback port, for tests that stop it hard and start it
 * again under load (crash recovery). Never touches the shared server on 5432. Trust auth, user `postgres`,
 * fsync and synchronous_commit left on (their defaults): what survives here is what survives a power cut.
 */
export class LocalPostgres {
  private running = false;

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly socketDir: string,
    private readonly binDir: string,
    private readonly account: { uid: number; gid: number } | undefined,
    private readonly serverArgs: readonly string[] = [],
  ) {}

  /**
   * `serverArgs`: more `postgres` arguments after the defaults (e.g. a compose file's `-c name=value` pairs; a
   * later `-c` of the same setting wins). No spaces inside an argument: pg_ctl passes them as one string.
   */
  static async start(options: { serverArgs?: readonly string[] } = {}): Promise<LocalPostgres> {
    const binDir = postgresBinDir();
    const account = postgresAccount();
    const base = mkdtempSync(join(tmpdir(), 'pg-test-'));
    const dataDir = join(base, 'data');
    const socketDir = base;
    if (account) chownSync(base, account.uid, account.gid);
    const serverArgs = options.serverArgs ?? [];
    const spaced = serverArgs.find((a) => /\s/.test(a));
    if (spaced !== undefined) throw new Error(`postgres argument with a space: ${spaced}`);
    const server = new LocalPostgres(await freePort(), dataDir, socketDir, binDir, account, serverArgs);
    await server.exec('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    await server.restart();
    return server;
  }

  /** `postgres://postgres@127.0.0.1:<port>/<database>` */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts the server (crash recovery first when it was stopped hard) and waits until it accepts connections. */
  async restart(): Promise<void> {
    if (this.running) return;
    await this.exec('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dataDir, 'server.log'),
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.socketDir} -c max_connections=200 -c fsync=on -c synchronous_commit=on ${this.serverArgs.join(' ')}`.trim(),
      '-w',
      '-t',
      '60',
      'start',
    ]);
    this.running = true;
    await waitFor(() => portOpen(this.port), { timeoutMs: 30_000, message: `postgres on ${this.port}` });
  }

  /**
   * Stops the server the way a crash does (`pg_ctl stop -m immediate`: every backend quits at once, no
   * checkpoint; the next start replays the WAL). Connections of clients break mid-transaction.
   */
  async crash(): Promise<void> {
    if (!this.running) return;
    await this.exec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
    this.running = false;
    await waitFor(async () => !(await portOpen(this.port)), {
      timeoutMs: 15_000,
      message: 'postgres port closed',
    });
  }

  /** Stops the server and deletes its files. */
  async stop(): Promise<void> {
    if (this.running) {
      await this.exec('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      this.running = false;
    }
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private async exec(binary: string, args: string[]): Promise<void> {
    try {
      await run(join(this.binDir, binary), args, {
        ...(this.account ? { uid: this.account.uid, gid: this.account.gid } : {}),
        env: { ...process.env, LC_ALL: 'C.UTF-8' },
        timeout: 90_000,
      });
    } catch (error) {
      const e = error as Error & { stderr?: string; stdout?: string };
      throw new Error(`${binary} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
    }
  }
}
