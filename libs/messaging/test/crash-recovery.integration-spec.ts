import { EVENTS } from '@app/contracts';
import { Topology } from '@app/messaging';
import {
  countSubjectMessages,
  deleteNamespaceStreams,
  holdsFor,
  newProbeWorld,
  postDischarges,
  ProbeProcess,
  ProbeWorld,
  spawnProbe,
  TestDatabase,
  testDatabase,
  waitFor,
} from '@app/testing';

/**
 * Processes killed with SIGKILL at the worst moments (crash points in the relay and the consumer), then
 * restarted: every event is published once and has exactly one effect.
 */
describe('crash recovery', () => {
  let db: TestDatabase;
  const worlds: ProbeWorld[] = [];
  const processes: ProbeProcess[] = [];

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
  });

  afterAll(async () => {
    for (const world of worlds) {
      await deleteNamespaceStreams(world.natsUrl, world.namespace);
      await db.dropSchemas(world.producerSchema, world.consumerSchema);
    }
    await db.close();
  });

  async function world(): Promise<{ world: ProbeWorld; topology: Topology }> {
    const created = await newProbeWorld();
    worlds.push(created);
    return { world: created, topology: new Topology(created.namespace) };
  }

  async function spawn(...args: Parameters<typeof spawnProbe>): Promise<ProbeProcess> {
    const started = await spawnProbe(...args);
    processes.push(started);
    return started;
  }

  const effects = (w: ProbeWorld, ids: string[]) =>
    db.count(`SELECT count(*) FROM "${w.consumerSchema}".probe_effect WHERE referral_id = ANY($1)`, [ids]);
  const distinctEffects = (w: ProbeWorld, ids: string[]) =>
    db.count(
      `SELECT count(DISTINCT referral_id) FROM "${w.consumerSchema}".probe_effect WHERE referral_id = ANY($1)`,
      [ids],
    );
  const published = (w: ProbeWorld, ids: string[]) =>
    db.count(
      `SELECT count(*) FROM "${w.producerSchema}".outbox WHERE ordering_key = ANY($1) AND published_at IS NOT NULL`,
      [ids],
    );
  const streamCount = (w: ProbeWorld, t: Topology) =>
    countSubjectMessages(w.natsUrl, t.streamName('REFERRAL'), t.subject(EVENTS.referralDischarged.subject));

  it('should publish once after the producer is killed between commit and publish', async () => {
    const { world: w, topology } = await world();
    const consumer = await spawn('consumer', w);
    const producer = await spawn('producer', w, { CRASHPOINT: 'outbox-before-publish' });

    const ids = await postDischarges(producer.url, 'h-crash-1', 5);
    const exit = await producer.exited;

    expect(exit.signal).toBe('SIGKILL');
    expect(await published(w, ids)).toBe(0);
    expect(await streamCount(w, topology)).toBe(0);

    await spawn('producer', w);
    await waitFor(async () => (await effects(w, ids)) === 5, { message: '5 effects after restart' });
    await holdsFor(async () => (await effects(w, ids)) === 5, 1500);
    expect(await published(w, ids)).toBe(5);
    expect(await streamCount(w, topology)).toBe(5);
    expect(consumer.child.exitCode).toBeNull();
  });

  it('should not duplicate when the producer is killed after the publish ack but before marking sent', async () => {
    const { world: w, topology } = await world();
    await spawn('consumer', w);
    const producer = await spawn('producer', w, { CRASHPOINT: 'outbox-after-publish' });

    const ids = await postDischarges(producer.url, 'h-crash-2', 5);
    expect((await producer.exited).signal).toBe('SIGKILL');
    expect(await published(w, ids)).toBe(0);
    await waitFor(async () => (await streamCount(w, topology)) === 5, {
      message: 'first publish reached the stream',
    });

    await spawn('producer', w);
    await waitFor(async () => (await published(w, ids)) === 5, { message: 'rows marked sent after restart' });
    await waitFor(async () => (await effects(w, ids)) === 5);
    await holdsFor(async () => (await effects(w, ids)) === 5, 1500);
    // The re-publish carried the same Nats-Msg-Id: the stream dropped it as a duplicate.
    expect(await streamCount(w, topology)).toBe(5);
  });

  it('should have one effect when the consumer is killed after its commit but before the ack', async () => {
    const { world: w } = await world();
    const producer = await spawn('producer', w);
    const consumer = await spawn('consumer', w, { CRASHPOINT: 'consumer-after-commit' });

    const ids = await postDischarges(producer.url, 'h-crash-3', 3);
    expect((await consumer.exited).signal).toBe('SIGKILL');
    expect(await effects(w, ids)).toBeGreaterThanOrEqual(1);

    await spawn('consumer', w);
    // Redelivered after ack_wait (2 s for the probe consumer); the inbox turns the repeat into a no-op.
    await waitFor(async () => (await distinctEffects(w, ids)) === 3, {
      timeoutMs: 30_000,
      message: '3 distinct effects',
    });
    await holdsFor(async () => (await effects(w, ids)) === 3, 3000);
  });

  it('should have no effect and redeliver when the consumer is killed before its commit', async () => {
    const { world: w } = await world();
    const producer = await spawn('producer', w);
    const consumer = await spawn('consumer', w, { CRASHPOINT: 'consumer-before-commit' });

    const ids = await postDischarges(producer.url, 'h-crash-4', 2);
    expect((await consumer.exited).signal).toBe('SIGKILL');
    expect(await effects(w, ids)).toBe(0);
    expect(await db.count(`SELECT count(*) FROM "${w.consumerSchema}".inbox`)).toBe(0);

    await spawn('consumer', w);
    await waitFor(async () => (await effects(w, ids)) === 2, { timeoutMs: 30_000 });
    await holdsFor(async () => (await effects(w, ids)) === 2, 3000);
  });
});
