import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceName } from '@app/contracts';
import { freePort } from './ports';
import { waitFor } from './wait-for';

export interface ServiceProcess {
  readonly service: ServiceName;
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process wrote to stdout and stderr (its JSON log lines). */
  readonly output: string[];
  stop(): Promise<void>;
}

/**
 * Starts a built service (`dist/apps/<service>/src/main.js`, so run `npm run build` first) as its own process,
 * configured only through its environment, and waits until `/health/ready` answers 200 (Postgres reachable,
 * NATS connected and provisioned). Its stdout/stderr are captured: each process has its own logs.
 */
export async function spawnService(
  service: ServiceName,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const main = join(__dirname, `../../../dist/apps/${service}/src/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const port = await freePort();
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      OUTBOX_POLL_INTERVAL_MS: '200',
      SHUTDOWN_GRACE_MS: '3000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      gone = true;
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (gone) throw new Error('exited');
        return (await fetch(`${url}/health/ready`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 45_000, message: `${service} ready` },
    );
  } catch (error) {
    if (!gone) child.kill('SIGKILL');
    throw new Error(`${service} did not become ready: ${(error as Error).message}\n${output.join('')}`);
  }
  return {
    service,
    child,
    url,
    output,
    stop: async () => {
      if (!gone) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
