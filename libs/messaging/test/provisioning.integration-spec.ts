import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { consumersOf, SERVICES } from '@app/contracts';
import { BusNotProvisionedError, JetStreamProvisioner, Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  newProbeWorld,
  opsHeaders,
  PROBE_CONSUMER,
  PROBE_GREEN_CONSUMER,
  ProbeWorld,
  RunningProbe,
  startProbe,
  TestDatabase,
  testDatabase,
  waitFor,
} from '@app/testing';
import { main as provision } from '@scripts/provision';

/** BUS_PROVISIONING=verify: the service creates nothing, and is not ready until the admin step has run. */
describe('stream provisioning by the admin step', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  let consumer: RunningProbe | undefined;

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
  });

  afterAll(async () => {
    await consumer?.close();
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  const readiness = async () => {
    const response = await fetch(`${consumer!.url}/health`, { headers: await opsHeaders() });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('should name what is missing when the streams and durables were not provisioned', async () => {
    const nc = await connect({ servers: world.natsUrl });
    try {
      const verify = new JetStreamProvisioner().verify(
        await jetstreamManager(nc),
        new Topology(world.namespace),
        {
          consumers: consumersOf(SERVICES.registration),
        },
      );
      await expect(verify).rejects.toThrow(BusNotProvisionedError);
      await expect(verify).rejects.toThrow(
        new RegExp(
          `stream ${world.namespace}_REFERRAL, .*consumer ${world.namespace}_REFERRAL/${world.namespace}_registration__`,
        ),
      );
    } finally {
      await nc.close();
    }
  });

  it('should keep a verify-mode service not ready, saying to run npm run provision, until the admin step ran', async () => {
    consumer = await startProbe('consumer', world, { busProvisioning: 'verify' });
    const before = await waitFor(
      async () => {
        const answer = await readiness();
        return JSON.stringify(answer.body).includes('npm run provision') ? answer : undefined;
      },
      { message: 'readiness names the admin step' },
    );
    expect(before.status).toBe(503);
    expect(JSON.stringify(before.body)).toContain(`${world.namespace}_${PROBE_CONSUMER.durable}`);

    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      // The admin step provisions the registry's durables; the probe's own durables are test fixtures.
      await provision({ NATS_URL: world.natsUrl, BUS_NAMESPACE: world.namespace });
      const nc = await connect({ servers: world.natsUrl });
      const jsm = await jetstreamManager(nc);
      await new JetStreamProvisioner().provision(jsm, new Topology(world.namespace), {
        consumers: [PROBE_CONSUMER, PROBE_GREEN_CONSUMER],
        streamReplicas: 1,
      });
      await nc.close();
    } finally {
      stdout.mockRestore();
    }
    await waitFor(async () => (await readiness()).status === 200, {
      timeoutMs: 15_000,
      message: 'ready once provisioned',
    });
  });
});
