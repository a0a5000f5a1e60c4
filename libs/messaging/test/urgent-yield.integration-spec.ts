import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { register } from 'prom-client';
import { EVENTS, SERVICES } from '@app/contracts';
import { buildEnvelope, Topology } from '@app/messaging';
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
 * The green channel goes first inside a process too: while a relapse is being handled, the consumer's REFERRAL
 * lane starts no further message of its batch; it commits what it handled, gives back the inbox claims of the
 * rest and handles them after the relapse. Every referral event still has exactly one effect.
 */
describe('routine lanes yield to the green channel', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;
  let consumer: RunningProbe | undefined;

  const yields = async () =>
    ((await register.getSingleMetric('referral_consumer_urgent_yields_total')?.get())?.values ?? []).reduce(
      (sum, v) => sum + v.value,
      0,
    );

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    producer = await startProbe('producer', world);
    // Provisions the durables, so the backlog below waits for the consumer.
    await (await startProbe('consumer', world)).close();
  });

  afterAll(async () => {
    await consumer?.close();
    await producer?.close();
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  it('should start no referral event while a relapse is handled, and lose or double none', async () => {
    // 80 referral events of 15 ms each wait in the stream; one lane takes them 32 at a time.
    const ids = await postDischarges(producer.url, 'slow-yield', 80);
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.producerSchema}".outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
        )) === 0,
      { message: 'backlog on the stream' },
    );
    const yieldsBefore = await yields();
    consumer = await startProbe('consumer', world, { consumerLanes: 1, consumerBatchSize: 32 });
    const effects = (hospitalId: string) =>
      db.count(`SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE hospital_id = $1`, [
        hospitalId,
      ]);
    // Inside the first batch (its effects commit with it, so watch the attempts).
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.consumerSchema}".probe_attempt a
             JOIN "${world.producerSchema}".outbox o ON o.id::text = a.event_id`,
        )) >= 3,
      { message: 'the referral backlog under way' },
    );

    // A relapse whose handler takes 300 ms.
    const relapse = buildEnvelope(
      EVENTS.greenRelapseReported,
      SERVICES.rehabSite,
      {
        referralId: randomUUID(),
        siteId: 'slow-site',
        observedRiskLevel: 4,
        reportedAt: new Date().toISOString(),
      },
      { subject: randomUUID() },
    );
    const nc = await connect({ servers: world.natsUrl });
    try {
      await jetstream(nc).publish(
        new Topology(world.namespace).subject(EVENTS.greenRelapseReported.subject),
        JSON.stringify(relapse),
        { msgID: relapse.id },
      );
    } finally {
      await nc.close();
    }

    await waitFor(async () => (await effects('slow-site')) === 1 && (await effects('slow-yield')) === 80, {
      timeoutMs: 30_000,
      message: 'the relapse and all 80 referral events handled',
    });

    const [green] = await db.query<{ started: Date; ended: Date }>(
      `SELECT a.at AS started, e.processed_at AS ended
         FROM "${world.consumerSchema}".probe_attempt a
         JOIN "${world.consumerSchema}".probe_effect e ON e.event_id = a.event_id
        WHERE a.event_id = $1`,
      [relapse.id],
    );
    // Referral events started while the relapse's handler ran (the one in hand when it arrived may still end).
    const startedMeanwhile = await db.count(
      `SELECT count(*) FROM "${world.consumerSchema}".probe_attempt a
         JOIN "${world.producerSchema}".outbox o ON o.id::text = a.event_id
        WHERE a.at > $1::timestamptz + interval '60 milliseconds' AND a.at < $2`,
      [green.started, green.ended],
    );
    expect(startedMeanwhile).toBe(0);
    // The lane went on after the relapse: the backlog was not finished before it.
    expect(
      await db.count(
        `SELECT count(*) FROM "${world.consumerSchema}".probe_attempt a
           JOIN "${world.producerSchema}".outbox o ON o.id::text = a.event_id
          WHERE a.at > $1`,
        [green.ended],
      ),
    ).toBeGreaterThan(0);
    expect(await yields()).toBeGreaterThan(yieldsBefore);

    const perReferral = await db.query<{ referral_id: string; n: string }>(
      `SELECT referral_id, count(*) AS n FROM "${world.consumerSchema}".probe_effect
        WHERE referral_id = ANY($1) GROUP BY referral_id`,
      [ids],
    );
    expect(perReferral).toHaveLength(80);
    expect(perReferral.filter((r) => Number(r.n) !== 1)).toEqual([]);
    // One attempt per event: the events given back were handled once, later, not taken for duplicates.
    expect(
      await db.count(
        `SELECT count(*) FROM "${world.consumerSchema}".probe_attempt a
           JOIN "${world.producerSchema}".outbox o ON o.id::text = a.event_id`,
      ),
    ).toBe(80);
  });
});
