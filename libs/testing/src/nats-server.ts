import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { waitFor } from './wait-for';

const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

export function natsServerBinary(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('nats-server not found: apt-get install -y nats-server');
  return found;
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export interface LocalNatsServerOptions {
  /** A config file (`-c`), e.g. one that includes the generated auth.conf/tls.conf. Port, host and store dir
   * are still set on the command line, so they win over the file. */
  readonly configFile?: string;
  /** Extra environment of the server process (e.g. the `RB_NKEY_*` public keys the config references). */
  readonly env?: NodeJS.ProcessEnv;
}

/** A private JetStream server on a loopback port, for tests that stop and restart NATS. */
export class LocalNatsServer {
  private process?: ChildProcess;
  private running = false;
  readonly storeDir: string;
  /** What the server wrote to stderr/stdout (for a failing test's message). */
  private output = '';

  private constructor(
    readonly port: number,
    private readonly options: LocalNatsServerOptions = {},
  ) {
    this.storeDir = mkdtempSync(join(tmpdir(), 'nats-test-'));
  }

  static async start(options: LocalNatsServerOptions = {}): Promise<LocalNatsServer> {
    const server = new LocalNatsServer(await freePort(), options);
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The server's log so far. */
  get log(): string {
    return this.output;
  }

  async restart(): Promise<void> {
    if (this.running) return;
    const config = this.options.configFile ? ['-c', this.options.configFile] : [];
    const child = spawn(
      natsServerBinary(),
      [...config, '-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      {
        stdio: this.options.configFile ? ['ignore', 'pipe', 'pipe'] : 'ignore',
        env: { ...process.env, ...this.options.env },
      },
    );
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.process = child;
    this.running = true;
    child.once('exit', () => (this.running = false));
    await waitFor(
      () => {
        if (!this.running) throw new Error(`nats-server exited: ${this.output}`);
        return portOpen(this.port);
      },
      { timeoutMs: 10_000, message: `nats-server on ${this.port}` },
    );
  }

  /** Kills the server the hard way and waits until the port is closed. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || !this.running) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await waitFor(async () => !(await portOpen(this.port)), {
      timeoutMs: 10_000,
      message: 'nats port closed',
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
