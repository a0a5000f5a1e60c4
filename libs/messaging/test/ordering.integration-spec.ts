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
 * Two replicas of a producer share one outbox (their relays compete with FOR UPDATE SKIP LOCKED); the
 * consumer handles messages on 4 lanes in batches of up to 4, with uneven handler times: every event is
 * delivered once and each referral's events are applied in the order they were written.
 *
 * (Across consumer *replicas* JetStream gives no per-referral order; handlers check the referral's state and
 * nak an event that arrives early, see README "Ordering".)
 */
describe('ordering with replicas', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  const running: RunningProbe[] = [];

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    running.push(
      await startProbe('producer', world),
      await startProbe('producer', world),
      // Several lanes and small batches, so a referral's events would overtake each other if its key did not
      // pin them to one lane.
      await startProbe('consumer', world, { consumerLanes: 4, consumerBatchSize: 4 }),
    );
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.close()));
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  it('should apply each referral’s events once and in order while replicas compete', async () => {
    const [first, second] = running;
    const posts = await Promise.all([
      postDischarges(first.url, 'jitter-a', 4, 5),
      postDischarges(second.url, 'jitter-b', 4, 5),
      postDischarges(first.url, 'jitter-c', 4, 5),
    ]);
    const ids = posts.flat();
    expect(ids).toHaveLength(12);

    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1)`,
          [ids],
        )) === 60,
      { timeoutMs: 60_000, message: '60 effects' },
    );
    const rows = await db.query<{ referral_id: string; encounter_id: string }>(
      `SELECT referral_id, encounter_id FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1) ORDER BY id`,
      [ids],
    );
    const seen = new Map<string, string[]>();
    for (const row of rows)
      seen.set(row.referral_id, [...(seen.get(row.referral_id) ?? []), row.encounter_id]);
    const expected = ['step-0', 'step-1', 'step-2', 'step-3', 'step-4'];
    const outOfOrder = [...seen.entries()].filter(([, steps]) => steps.join() !== expected.join());
    expect(outOfOrder).toEqual([]);
    expect(seen.size).toBe(12);
  });
});
