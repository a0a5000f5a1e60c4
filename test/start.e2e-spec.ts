import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { SERVICE_CATALOGUE } from '@app/contracts';
import {
  deleteNamespaceStreams,
  opsHeaders,
  portOpen,
  SHARED_NATS_URL,
  uniqueName,
  waitFor,
} from '@app/testing';

/** Every service on its default port: the service catalogue `npm start` reads. */
const SERVICES = SERVICE_CATALOGUE;

/** `npm start` (after the build): every service migrates, starts and turns ready; SIGTERM stops them all. */
describe('npm start', () => {
  const database = uniqueName('referral_bus_e2e_');
  const namespace = uniqueName('s');
  let launcher: ChildProcess;
  const output: string[] = [];
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  beforeAll(async () => {
    for (const service of SERVICES) {
      if (await portOpen(service.port))
        throw new Error(`port ${service.port} is taken: stop what runs there first`);
    }
    launcher = spawn(process.execPath, [join(__dirname, '../dist/scripts/start.js')], {
      env: {
        ...process.env,
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        NATS_URL: SHARED_NATS_URL,
        BUS_NAMESPACE: namespace,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout?.on('data', (d: Buffer) => output.push(d.toString()));
    launcher.stderr?.on('data', (d: Buffer) => output.push(d.toString()));
    exited = new Promise((resolve) => launcher.once('exit', (code, signal) => resolve({ code, signal })));
  });

  afterAll(async () => {
    if (launcher.exitCode === null && launcher.signalCode === null) {
      launcher.kill('SIGTERM');
      await exited;
    }
    await deleteNamespaceStreams(SHARED_NATS_URL, namespace);
    const admin = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  it('should bring every service to green readiness, serve docs and metrics, and stop cleanly', async () => {
    const headers = await opsHeaders('ops-viewer');
    for (const service of SERVICES) {
      await waitFor(
        async () =>
          (await fetch(`http://127.0.0.1:${service.port}/health/ready`, { headers })).status === 200,
        { timeoutMs: 120_000, intervalMs: 250, message: `${service.name} ready\n${output.join('')}` },
      );
    }
    for (const service of SERVICES) {
      const ready = (await (await fetch(`http://127.0.0.1:${service.port}/health`, { headers })).json()) as {
        status: string;
        info: Record<string, { status: string }>;
      };
      expect(ready.status).toBe('ok');
      expect(Object.keys(ready.info).sort()).toEqual(['database', 'nats', 'outbox']);
      // Liveness and readiness are public for probes and say nothing but a status; the details, metrics and
      // docs need credentials.
      expect((await fetch(`http://127.0.0.1:${service.port}/health/live`)).status).toBe(200);
      const probe = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
      expect(probe.status).toBe(200);
      expect(await probe.json()).toEqual({ status: 'ok' });
      expect((await fetch(`http://127.0.0.1:${service.port}/health`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${service.port}/metrics`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${service.port}/docs-json`)).status).toBe(401);
      const docs = await fetch(`http://127.0.0.1:${service.port}/docs-json`, { headers });
      expect(docs.status).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${service.port}/metrics`, { headers })).text();
      expect(metrics).toContain(`referral_build_info{service="${service.name}"`);
    }
    await waitFor(() => output.join('').includes('ready'), { message: 'ready banner' });
    // Outside production the demo keys follow the banner: a fresh database issues the hospitals' keys.
    await waitFor(() => output.join('').includes('ops:token'), { message: 'demo keys' });
    expect(output.join('')).toMatch(/^ak-mental-health-centre\s+hospital\s+rbk_\S+$/m);
    expect(output.join('')).toMatch(
      /^ak-hanbin-county-centre\s+county-centre\s+demo-ak-hanbin-county-centre$/m,
    );
    expect(output.join('')).toMatch(/^cc-610902\s+site\s+demo_[0-9a-f]{40}$/m);

    launcher.kill('SIGTERM');
    const exit = await exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    for (const service of SERVICES) {
      await waitFor(async () => !(await portOpen(service.port)), { message: `${service.name} stopped` });
    }
  });
});
