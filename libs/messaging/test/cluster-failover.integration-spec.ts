import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Topology } from '@app/messaging';
import {
  holdsFor,
  LocalNatsCluster,
  newProbeWorld,
  postDischarges,
  ProbeWorld,
  RunningProbe,
  startProbe,
  TestDatabase,
  testDatabase,
  waitFor,
} from '@app/testing';

/**
 * A 3-node JetStream cluster with replicas = 3 loses a node while referrals flow, then gets it back:
 * every event is delivered once and the restarted node catches up.
 */
describe('3-node cluster failover', () => {
  let cluster: LocalNatsCluster;
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;
  let consumer: RunningProbe;

  beforeAll(async () => {
    db = await testDatabase();
    cluster = await LocalNatsCluster.start();
    world = await newProbeWorld(cluster.urls.join(','), 3);
    producer = await startProbe('producer', world);
    consumer = await startProbe('consumer', world);
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await cluster?.stop();
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  const effects = (ids: string[]) =>
    db.count(`SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1)`, [
      ids,
    ]);

  it('should replicate streams three times and lose nothing when a node dies and returns', async () => {
    // Right after provisioning, a stream's replica group may still be electing its leader and catching up its
    // followers: ask until it answers with both followers.
    const info = await waitFor(
      async () => {
        const nc = await connect({ servers: cluster.urls });
        try {
          const found = await (
            await jetstreamManager(nc, { timeout: 5000 })
          ).streams.info(new Topology(world.namespace).streamName('REFERRAL'));
          // The leader answers before it lists its followers: wait until it reports them.
          return (found.cluster?.replicas?.length ?? 0) >= 2 ? found : undefined;
        } finally {
          await nc.close();
        }
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'REFERRAL stream info from the cluster' },
    );
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas?.length).toBeGreaterThanOrEqual(2);

    const before = await postDischarges(producer.url, 'h-cluster-a', 50);
    await cluster.killNode(0);
    const during: string[] = [];
    for (let i = 0; i < 5; i++) during.push(...(await postDischarges(producer.url, 'h-cluster-b', 20)));
    await waitFor(async () => (await effects([...before, ...during])) === 150, {
      timeoutMs: 120_000,
      message: '150 effects with one node down',
    });

    await cluster.restartNode(0);
    const after = await postDischarges(producer.url, 'h-cluster-c', 50);
    const all = [...before, ...during, ...after];
    await waitFor(async () => (await effects(all)) === 200, { timeoutMs: 120_000, message: '200 effects' });
    await holdsFor(async () => (await effects(all)) === 200, 2000);
    expect(
      await db.count(
        `SELECT count(*) FROM "${world.producerSchema}".outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
      ),
    ).toBe(0);
  }, 360_000);
});
