import { opsHeaders } from '../auth';
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { INestApplication } from '@nestjs/common';
import { DEFAULT_NATS_URL, ServiceConfig } from '@app/core';
import { migrateUp } from '@app/persistence';
import { createServiceApp, startServiceApp } from '@app/platform';
import { TEST_DATABASE_URL, testDatabase } from '../database';
import { uniqueName } from '../names';
import { freePort } from '../ports';
import { waitFor } from '../wait-for';
import { PROBE_DATABASE, ProbeAppModule, ProbeRole } from './probe.module';

export const SHARED_NATS_URL = process.env.TEST_NATS_URL ?? DEFAULT_NATS_URL;

/** One isolated world: its own bus namespace and its own schemas for the producer and the consumer. */
export interface ProbeWorld {
  readonly namespace: string;
  readonly natsUrl: string;
  readonly databaseUrl: string;
  readonly producerSchema: string;
  readonly consumerSchema: string;
  /** JetStream replicas of the streams (3 on a LocalNatsCluster). */
  readonly streamReplicas: number;
}

export async function newProbeWorld(
  natsUrl: string = SHARED_NATS_URL,
  streamReplicas = 1,
): Promise<ProbeWorld> {
  const namespace = uniqueName('t');
  const world = {
    namespace,
    natsUrl,
    databaseUrl: TEST_DATABASE_URL,
    producerSchema: `${namespace}_producer`,
    consumerSchema: `${namespace}_consumer`,
    streamReplicas,
  };
  const db = await testDatabase();
  await db.close();
  for (const schema of [world.producerSchema, world.consumerSchema]) {
    await migrateUp({ url: world.databaseUrl, schema, applicationName: 'probe-migrate' }, PROBE_DATABASE);
  }
  return world;
}

/** A log sink that keeps every line (tests assert on what was, or was not, logged). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  }
}

export interface RunningProbe {
  readonly app: INestApplication;
  readonly url: string;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

function probeConfig(role: ProbeRole, world: ProbeWorld): Partial<ServiceConfig> {
  return {
    databaseUrl: world.databaseUrl,
    dbSchema: role === 'producer' ? world.producerSchema : world.consumerSchema,
    natsServers: world.natsUrl.split(','),
    streamReplicas: world.streamReplicas,
    busNamespace: world.namespace,
    httpPort: 0,
    httpHost: '127.0.0.1',
    logLevel: 'info',
    outboxPollIntervalMs: 200,
    shutdownGraceMs: 3000,
  };
}

/** Starts the probe in this process (fast; used where no process has to die). */
export async function startProbe(
  role: ProbeRole,
  world: ProbeWorld,
  config: Partial<ServiceConfig> = {},
): Promise<RunningProbe> {
  const logs = new LogCapture();
  const app = await createServiceApp(
    ProbeAppModule.forRole(role, { ...probeConfig(role, world), ...config }, logs),
    {
      title: 'probe',
      description: 'test fixture',
    },
  );
  await startServiceApp(app);
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, logs, close: () => app.close() };
}

export interface ProbeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string[];
  /** Resolves with the exit signal/code once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

const PROBE_MAIN = join(__dirname, '../../../../dist-test/libs/testing/src/probe/main.js');

/** Starts the probe as its own process (built by `npm run build:fixtures`), for SIGKILL tests. */
export async function spawnProbe(
  role: ProbeRole,
  world: ProbeWorld,
  extraEnv: Record<string, string> = {},
): Promise<ProbeProcess> {
  const port = await freePort();
  const config = probeConfig(role, world);
  const child = spawn(process.execPath, [PROBE_MAIN], {
    env: {
      ...process.env,
      PROBE_ROLE: role,
      DATABASE_URL: world.databaseUrl,
      DB_SCHEMA: config.dbSchema,
      NATS_URL: world.natsUrl,
      STREAM_REPLICAS: String(world.streamReplicas),
      BUS_NAMESPACE: world.namespace,
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      OUTBOX_POLL_INTERVAL_MS: '200',
      SHUTDOWN_GRACE_MS: '3000',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(() => gone || output.join('').includes(`probe ${role} ready`), {
    timeoutMs: 30_000,
    message: `probe ${role} process start`,
  });
  if (gone) throw new Error(`probe ${role} exited during start:\n${output.join('')}`);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output,
    exited,
    stop: async () => {
      if (!gone) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export async function postDischarges(
  baseUrl: string,
  hospitalId: string,
  count: number,
  steps?: number,
): Promise<string[]> {
  const response = await fetch(`${baseUrl}/probe/discharges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await opsHeaders()) },
    body: JSON.stringify({ hospitalId, count, ...(steps ? { steps } : {}) }),
  });
  if (response.status !== 201)
    throw new Error(`POST /probe/discharges → ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { referralIds: string[] }).referralIds;
}
