import { SERVICES } from '@app/contracts';
import {
  deleteNamespaceStreams,
  newProbeWorld,
  postDischarges,
  ProbeWorld,
  QueryRecorder,
  RecordedTransaction,
  RunningProbe,
  startProbe,
  TestDatabase,
  testDatabase,
  waitFor,
} from '@app/testing';

/**
 * Batched consumers: a backlog waits in the stream while the consumer is down, then the consumer handles what
 * each fetch delivers in few transactions. QueryRecorder groups the consumer's statements into transactions
 * (the ones that claim inbox rows are the handler transactions) so the round trips per consumed event are
 * held to a budget.
 */
describe('batched consumers', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;

  const effectsOf = (ids: string[]) =>
    db.query<{ referral_id: string; n: string; delivery: number }>(
      `SELECT referral_id, count(*) AS n, max(delivery) AS delivery FROM "${world.consumerSchema}".probe_effect
        WHERE referral_id = ANY($1) GROUP BY referral_id`,
      [ids],
    );

  /** Posts while the consumer is down and waits until the producer's relay has put everything on the stream. */
  async function backlog(posts: [hospitalId: string, count: number, steps?: number][]): Promise<string[][]> {
    const ids: string[][] = [];
    for (const [hospitalId, count, steps] of posts)
      ids.push(await postDischarges(producer.url, hospitalId, count, steps));
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.producerSchema}".outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
        )) === 0,
      { message: 'backlog on the stream' },
    );
    return ids;
  }

  /** Starts a consumer, records its statements until `done` holds, and returns its handler transactions. */
  async function consume(
    config: { consumerLanes: number; consumerBatchSize: number },
    done: () => Promise<boolean>,
  ): Promise<{ handlerTransactions: RecordedTransaction[]; summary: string }> {
    const recorder = new QueryRecorder().start();
    const consumer = await startProbe('consumer', world, config);
    try {
      await waitFor(done, { timeoutMs: 60_000, message: 'all messages handled' });
    } finally {
      await consumer.close();
      recorder.stop();
    }
    const statements = recorder.recorded({ application: SERVICES.opsMonitor });
    const handlerTransactions = QueryRecorder.transactions(statements).filter((t) =>
      t.statements.some((s) => /^INSERT INTO \S+\.inbox\b/.test(s)),
    );
    return { handlerTransactions, summary: QueryRecorder.summary(statements) };
  }

  const count = (transactions: RecordedTransaction[], pattern: RegExp) =>
    transactions.reduce((n, t) => n + t.statements.filter((s) => pattern.test(s)).length, 0);

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    producer = await startProbe('producer', world);
    // Provisions the durable, so the backlogs below wait for the next consumer.
    await (await startProbe('consumer', world)).close();
  });

  afterAll(async () => {
    await producer?.close();
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  it('should give each of a backlog one effect, audit and event with far fewer statements per event', async () => {
    const perEvent = async (
      config: { consumerLanes: number; consumerBatchSize: number },
      hospital: string,
    ) => {
      const [ids] = await backlog([[hospital, 60]]);
      const { handlerTransactions, summary } = await consume(
        config,
        async () => (await effectsOf(ids)).length === 60,
      );
      const effects = await effectsOf(ids);
      expect(effects.filter((e) => Number(e.n) !== 1)).toEqual([]);
      expect(
        await db.count(
          `SELECT count(*) FROM "${world.consumerSchema}".audit_event WHERE entity_id = ANY($1)`,
          [ids],
        ),
      ).toBe(60);
      expect(
        await db.count(`SELECT count(*) FROM "${world.consumerSchema}".outbox WHERE ordering_key = ANY($1)`, [
          ids,
        ]),
      ).toBe(60);
      const statements = handlerTransactions.reduce((n, t) => n + t.statements.length, 0);
      return {
        transactions: handlerTransactions.length,
        statementsPerEvent: statements / 60,
        inboxInserts: count(handlerTransactions, /^INSERT INTO \S+\.inbox\b/),
        auditInserts: count(handlerTransactions, /^(WITH .*)?INSERT INTO \S+\.audit_event\b/),
        outboxInserts: count(handlerTransactions, /^(WITH .*)?INSERT INTO \S+\.outbox\b/),
        // Audit and outbox rows are the unit of work's deferred writes: one statement for both.
        deferredWrites: count(handlerTransactions, /^WITH w1 AS \(INSERT INTO .*\), w2 AS \(INSERT INTO /),
        summary,
      };
    };

    // One message per transaction (the path every message took before batching): 5 statements per event
    // (START with the actor, inbox, effect, audit and outbox in one statement, COMMIT; 7 before the actor joined
    // the START and the deferred writes one statement).
    // The defaults: one lane, batches of up to 32.
    const batched = await perEvent({ consumerLanes: 1, consumerBatchSize: 32 }, 'echo-batched');
    const single = await perEvent({ consumerLanes: 4, consumerBatchSize: 1 }, 'echo-single');
    process.stdout.write(
      `statements per consumed event: batch size 1 → ${single.statementsPerEvent.toFixed(2)} in ${single.transactions} transactions, ` +
        `batch size 32 → ${batched.statementsPerEvent.toFixed(2)} in ${batched.transactions} transactions\n`,
    );

    expect({ ...single, summary: undefined }).toMatchObject({ transactions: 60, statementsPerEvent: 5 });
    // A backlog of 60 on one lane: 3-4 transactions of 4 statements around the probe’s effect INSERT (1 per event),
    // 1.2-1.27 per event (1.3-1.4 before); the budget allows the 6 transactions below (1.4).
    const budget = 1.4;
    if (batched.statementsPerEvent > budget || batched.transactions > 6) {
      throw new Error(
        `batched consumer sent ${batched.statementsPerEvent} statements per event in ${batched.transactions} ` +
          `transactions (budget ${budget}):\n${batched.summary}`,
      );
    }
    // One inbox, one audit and one outbox INSERT per transaction, not per event; audit and outbox in one statement.
    expect(batched.inboxInserts).toBe(batched.transactions);
    expect(batched.auditInserts).toBe(batched.transactions);
    expect(batched.outboxInserts).toBe(batched.transactions);
    expect(batched.deferredWrites).toBe(batched.transactions);
  });

  it('should dead-letter a poison message inside a batch and give the others exactly one effect', async () => {
    const [before, [poisonId], after] = await backlog([
      ['echo-before-poison', 10],
      ['poison-in-batch', 1],
      ['echo-after-poison', 10],
    ]);
    const others = [...before, ...after];
    const { handlerTransactions, summary } = await consume(
      { consumerLanes: 1, consumerBatchSize: 32 },
      async () =>
        (await effectsOf(others)).length === 20 &&
        (await db.count(`SELECT count(*) FROM "${world.consumerSchema}".dead_letter WHERE payload LIKE $1`, [
          `%${poisonId}%`,
        ])) === 1,
    );

    expect((await effectsOf(others)).filter((e) => Number(e.n) !== 1 || e.delivery !== 1)).toEqual([]);
    expect((await effectsOf([poisonId])).length).toBe(0);
    const [letter] = await db.query<{ error_code: string; deliveries: number }>(
      `SELECT error_code, deliveries FROM "${world.consumerSchema}".dead_letter WHERE payload LIKE $1`,
      [`%${poisonId}%`],
    );
    expect(letter).toEqual({ error_code: 'PROBE_POISON', deliveries: 1 });
    // The poison was handled inside a batch that rolled back, and the batch was not retried message by message.
    const rolledBackBatches = handlerTransactions.filter(
      (t) => !t.committed && t.statements.some((s) => s.includes('unnest')),
    );
    expect({ rolledBackBatches: rolledBackBatches.length, summary }).toMatchObject({ rolledBackBatches: 1 });
    expect(handlerTransactions.filter((t) => t.committed).length).toBeLessThan(10);
  });

  it('should retry a transient failure inside a batch without doubling the others', async () => {
    const [before, [flakyId], after] = await backlog([
      ['echo-before-flaky', 10],
      ['flaky-in-batch', 1],
      ['echo-after-flaky', 10],
    ]);
    const others = [...before, ...after];
    await consume(
      { consumerLanes: 1, consumerBatchSize: 32 },
      async () => (await effectsOf([...others, flakyId])).length === 21,
    );

    expect((await effectsOf(others)).filter((e) => Number(e.n) !== 1 || e.delivery !== 1)).toEqual([]);
    const [flaky] = await effectsOf([flakyId]);
    expect({ n: Number(flaky.n), delivery: flaky.delivery }).toEqual({ n: 1, delivery: 3 });
    expect(
      await db.count(
        `SELECT count(*) FROM "${world.consumerSchema}".inbox WHERE event_id IN
           (SELECT event_id FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1))`,
        [[...others, flakyId]],
      ),
    ).toBe(21);
  });

  it('should apply each referral’s events in order across small batches on several lanes', async () => {
    const ids = (
      await backlog([
        ['jitter-batch-a', 6, 5],
        ['jitter-batch-b', 6, 5],
      ])
    ).flat();
    await consume(
      { consumerLanes: 4, consumerBatchSize: 3 },
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1)`,
          [ids],
        )) === 60,
    );
    const rows = await db.query<{ referral_id: string; encounter_id: string }>(
      `SELECT referral_id, encounter_id FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1) ORDER BY id`,
      [ids],
    );
    const seen = new Map<string, string[]>();
    for (const row of rows)
      seen.set(row.referral_id, [...(seen.get(row.referral_id) ?? []), row.encounter_id]);
    const expected = ['step-0', 'step-1', 'step-2', 'step-3', 'step-4'].join();
    expect([...seen.entries()].filter(([, steps]) => steps.join() !== expected)).toEqual([]);
    expect(seen.size).toBe(12);
  });
});
