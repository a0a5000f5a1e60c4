import {
  deleteNamespaceStreams,
  LocalNatsServer,
  newProbeWorld,
  opsHeaders,
  ProbeWorld,
  RunningProbe,
  startProbe,
  testDatabase,
  waitFor,
} from '@app/testing';
import { Agent, request, Server } from 'node:http';
import { MetricsListener } from './metrics-listener';

/**
 * What load balancers, orchestrators and Prometheus use: a public readiness probe that says only a status, and
 * an internal metrics port that needs no credential (so no scrape token can expire).
 */
describe('public readiness and the internal metrics port', () => {
  let nats: LocalNatsServer;
  let world: ProbeWorld;
  let probe: RunningProbe;
  let metricsPort: number;

  beforeAll(async () => {
    nats = await LocalNatsServer.start();
    world = await newProbeWorld(nats.url);
    probe = await startProbe('producer', world, { metricsPort: 0, metricsHost: '127.0.0.1' });
    metricsPort = probe.app.get(MetricsListener).port()!;
  });

  afterAll(async () => {
    await probe?.close();
    await deleteNamespaceStreams(nats.url, world.namespace).catch(() => undefined);
    await nats?.stop();
    const db = await testDatabase();
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  it('should answer readiness without credentials with a status and no details, red while NATS is down', async () => {
    const ready = await waitFor(
      async () => {
        const response = await fetch(`${probe.url}/health/ready`);
        return response.status === 200 ? response : undefined;
      },
      { message: 'ready' },
    );
    expect(await ready.json()).toEqual({ status: 'ok' });

    await nats.kill();
    const down = await waitFor(
      async () => {
        const response = await fetch(`${probe.url}/health/ready`);
        return response.status === 503 ? response : undefined;
      },
      { message: 'readiness turns red without NATS' },
    );
    expect(await down.json()).toEqual({ status: 'unavailable' });
    // The details stay behind credentials.
    expect((await fetch(`${probe.url}/health`)).status).toBe(401);
    const details = await fetch(`${probe.url}/health`, { headers: await opsHeaders('ops-viewer') });
    expect(details.status).toBe(503);
    expect(JSON.stringify(await details.json())).toContain('nats');

    await nats.restart();
    await waitFor(async () => (await fetch(`${probe.url}/health/ready`)).status === 200, {
      timeoutMs: 30_000,
      message: 'ready again',
    });
  });

  it('should serve Prometheus text on the internal port without a token, and nothing else there', async () => {
    expect(metricsPort).toBeGreaterThan(0);
    const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toContain('referral_build_info');
    expect(text).toContain('process_cpu_user_seconds_total');

    expect((await fetch(`http://127.0.0.1:${metricsPort}/health`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/docs-json`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status).toBe(404);
    // The public port keeps /metrics behind an ops JWT.
    expect((await fetch(`${probe.url}/metrics`)).status).toBe(401);
  });

  it('should keep an idle kept-alive connection open longer than the 5 s at which Node would close it', async () => {
    const server = probe.app.getHttpServer() as Server;
    expect(server.keepAliveTimeout).toBeGreaterThanOrEqual(65_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    // A client reusing its pooled connection after 5.5 s idle finds it open (before: closed at 5 s, a race
    // that reset a POST sent just as the server closed it).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
        const req = request(`${probe.url}/health/ready`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      expect((await get()).reused).toBe(false);
      await new Promise((r) => setTimeout(r, 5_500));
      expect((await get()).reused).toBe(true);
    } finally {
      agent.destroy();
    }
  });
  it('should close the internal port with the app', async () => {
    await probe.close();
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
    probe = undefined as unknown as RunningProbe;
  });
});
