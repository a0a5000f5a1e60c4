import {
  deleteNamespaceStreams,
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
 * The relay publishes at most one row per ordering key per round, so a transaction that writes several events
 * about one referral (hospital-intake: discharged + assessed) has its later rows become publishable only after
 * the earlier one is acked. Those must go out in the same wake-up, not wait for the next NOTIFY or poll: with
 * a 30 s poll and no further writes, all steps still arrive within seconds.
 */
describe('outbox relay wake-up', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  const running: RunningProbe[] = [];

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    running.push(
      // Without the handoff (outbox-handoff spec): every row goes through the relay, which is what is tested here.
      await startProbe('producer', world, { outboxPollIntervalMs: 30_000, outboxHandoffMs: 0 }),
      await startProbe('consumer', world),
    );
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  it('should publish every row of one referral in the wake-up that its commit caused', async () => {
    const [producer] = running;
    const [referralId] = await postDischarges(producer.url, 'wakeup', 1, 3);
    await waitFor(
      async () =>
        (await db.count(`SELECT count(*) FROM "${world.producerSchema}".outbox WHERE ordering_key = $1`, [
          referralId,
        ])) === 3,
      { timeoutMs: 5_000, message: 'three outbox rows written' },
    );
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.producerSchema}".outbox WHERE ordering_key = $1 AND published_at IS NOT NULL`,
          [referralId],
        )) === 3,
      { timeoutMs: 8_000, message: 'all three rows published well before the 30 s poll' },
    );
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = $1`,
          [referralId],
        )) === 3,
      { timeoutMs: 8_000, message: 'three effects' },
    );
  });

  it('should not lose a NOTIFY that arrives while a round is running', async () => {
    const [producer] = running;
    // Commits land at random moments, many of them while the relay is mid-round (including the last, empty
    // round before it sleeps): every one must still be published at once, none left for the 30 s poll.
    for (let burst = 0; burst < 5; burst++) {
      const posts: Promise<string[]>[] = [];
      for (let i = 0; i < 12; i++) {
        posts.push(postDischarges(producer.url, 'wakeup', 1));
        await new Promise((r) => setTimeout(r, Math.random() * 12));
      }
      const ids = (await Promise.all(posts)).flat();
      await waitFor(
        async () =>
          (await db.count(
            `SELECT count(*) FROM "${world.producerSchema}".outbox WHERE ordering_key = ANY($1) AND published_at IS NOT NULL`,
            [ids],
          )) === ids.length,
        { timeoutMs: 5_000, message: `burst ${burst}: every discharge published well before the 30 s poll` },
      );
    }
  });
});
