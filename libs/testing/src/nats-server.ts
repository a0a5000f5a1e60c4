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

/** A private JetStream server on a loopback port, for tests that stop and restart NATS. */
export class LocalNatsServer {
  private process?: ChildProcess;
  private running = false;
  readonly storeDir: string;

  private constructor(readonly port: number) {
    this.storeDir = mkdtempSync(join(tmpdir(), 'nats-test-'));
  }

  static async start(): Promise<LocalNatsServer> {
    const server = new LocalNatsServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    if (this.running) return;
    this.process = spawn(
      natsServerBinary(),
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      {
        stdio: 'ignore',
      },
    );
    this.running = true;
    this.process.once('exit', () => (this.running = false));
    await waitFor(() => portOpen(this.port), { timeoutMs: 10_000, message: `nats-server on ${this.port}` });
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
