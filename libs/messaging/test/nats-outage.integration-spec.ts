import {
  deleteNamespaceStreams,
  holdsFor,
  LocalNatsServer,
  newProbeWorld,
  postDischarges,
  ProbeWorld,
  RunningProbe,
  startProbe,
  TestDatabase,
  testDatabase,
  waitFor,
  opsHeaders,
} from '@app/testing';

/** NATS dies while the API takes writes (a private nats-server, so the shared one is never touched). */
describe('NATS outage', () => {
  let nats: LocalNatsServer;
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;
  let consumer: RunningProbe;

  beforeAll(async () => {
    db = await testDatabase();
    nats = await LocalNatsServer.start();
    world = await newProbeWorld(nats.url);
    producer = await startProbe('producer', world);
    consumer = await startProbe('consumer', world);
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await nats?.stop();
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  const effects = (ids: string[]) =>
    db.count(`SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1)`, [
      ids,
    ]);
  const pending = () =>
    db.count(
      `SELECT count(*) FROM "${world.producerSchema}".outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
    );

  it('should take writes while NATS is down and deliver every one once after it returns', async () => {
    const before = await postDischarges(producer.url, 'h-before', 10);
    await waitFor(async () => (await effects(before)) === 10, { message: 'deliveries before the outage' });

    const ops = await opsHeaders('ops-viewer');
    await nats.kill();
    const ready = await fetch(`${producer.url}/health/ready`, { headers: ops });
    await waitFor(
      async () => (await fetch(`${producer.url}/health/ready`, { headers: ops })).status === 503,
      {
        message: 'readiness turns red without NATS',
      },
    );
    expect([200, 503]).toContain(ready.status);

    const during: string[] = [];
    for (let i = 0; i < 10; i++) during.push(...(await postDischarges(producer.url, 'h-during', 10)));
    expect(during).toHaveLength(100);
    await holdsFor(async () => (await pending()) === 100, 1000);

    await nats.restart();
    await waitFor(async () => (await pending()) === 0, { timeoutMs: 60_000, message: 'outbox drained' });
    await waitFor(async () => (await effects(during)) === 100, { timeoutMs: 60_000, message: '100 effects' });
    await holdsFor(async () => (await effects(during)) === 100 && (await effects(before)) === 10, 1500);
    await waitFor(
      async () => (await fetch(`${producer.url}/health/ready`, { headers: ops })).status === 200,
      {
        message: 'readiness green again',
      },
    );
  });
});
