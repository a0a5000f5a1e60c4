import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EVENTS } from '@app/contracts';
import { EventPublisher, outboxChannel } from '@app/messaging';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
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

const HOLD_MS = 5_000;

/**
 * The rows a transaction writes are published by the process that committed it, right after the commit, and
 * held from the relays meanwhile (issue #22: a hop no longer waits for a relay's wake-up and claim). What must
 * hold: the relays are not woken for them; a key's order holds across transactions (a row never overtakes an
 * earlier unsent row of its key written by another transaction); if the committing process dies first, the relays
 * send the rows once the hold ends (crash-recovery.integration-spec, crash points in the handoff).
 */
describe('outbox handoff', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;
  let consumer: RunningProbe;
  let listener: Client;
  let notifications = 0;

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    producer = await startProbe('producer', world, { outboxHandoffMs: HOLD_MS });
    consumer = await startProbe('consumer', world);
    listener = new Client({ connectionString: world.databaseUrl });
    await listener.connect();
    listener.on('notification', () => notifications++);
    await listener.query(`LISTEN "${outboxChannel(world.producerSchema)}"`);
  });

  afterAll(async () => {
    await listener.end();
    await Promise.all([producer.close(), consumer.close()]);
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  const outbox = () => `"${world.producerSchema}".outbox`;

  it('should publish committed rows from the committing process without waking the relays', async () => {
    notifications = 0;
    const ids = (
      await Promise.all(Array.from({ length: 10 }, () => postDischarges(producer.url, 'handoff', 2, 3)))
    ).flat();
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM ${outbox()} WHERE ordering_key = ANY($1) AND published_at IS NOT NULL`,
          [ids],
        )) ===
        ids.length * 3,
      { timeoutMs: 4_000, message: 'every row published well inside the hold' },
    );
    // Inside the hold no relay may claim a row: the committing process sent every one, each once.
    const late = await db.count(
      `SELECT count(*) FROM ${outbox()}
        WHERE ordering_key = ANY($1) AND (published_at > created_at + make_interval(secs => $2 / 1000.0) OR attempts <> 1)`,
      [ids, HOLD_MS],
    );
    expect(late).toBe(0);
    expect(notifications).toBe(0);
    // Each referral's three events reached the consumer in order.
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1)`,
          [ids],
        )) ===
        ids.length * 3,
      { timeoutMs: 8_000, message: 'every event handled' },
    );
    const order = await db.query<{ referral_id: string; steps: string[] }>(
      `SELECT o.ordering_key AS referral_id, array_agg(o.payload::jsonb #>> '{data,encounterId}' ORDER BY o.stream_seq) AS steps
         FROM ${outbox()} o WHERE o.ordering_key = ANY($1) GROUP BY o.ordering_key`,
      [ids],
    );
    expect(order.map((r) => r.steps)).toEqual(ids.map(() => ['step-0', 'step-1', 'step-2']));
  });

  it('should not send a row before an earlier unsent row of its key that another transaction wrote', async () => {
    const referralId = randomUUID();
    // An earlier event of the referral, written by a process that died before sending it: held for 2 s more.
    const [template] = await db.query<{
      subject: string;
      event_type: string;
      payload: string;
      headers: unknown;
    }>(
      `SELECT subject, event_type, payload, headers FROM ${outbox()} WHERE published_at IS NOT NULL LIMIT 1`,
    );
    const earlier = JSON.parse(template.payload) as {
      id: string;
      subject: string;
      data: Record<string, unknown>;
    };
    earlier.id = randomUUID();
    earlier.subject = referralId;
    earlier.data = { ...earlier.data, referralId, encounterId: 'earlier' };
    await db.query(
      `INSERT INTO ${outbox()} (id, subject, event_type, ordering_key, payload, headers, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + interval '2 seconds')`,
      [
        earlier.id,
        template.subject,
        template.event_type,
        referralId,
        JSON.stringify(earlier),
        template.headers,
      ],
    );

    const tx = producer.app.get(TransactionHost);
    const publisher = producer.app.get(EventPublisher);
    const laterId = await tx.run(
      () =>
        publisher.publish(
          EVENTS.referralDischarged,
          {
            referralId,
            hospitalId: 'handoff',
            encounterId: 'later',
            dischargedAt: new Date().toISOString(),
            residenceDivisionCode: '610902001001',
          },
          { subject: referralId },
        ),
      SYSTEM_ACTOR,
    );

    const sent = () =>
      db.query<{ id: string; stream_seq: string | null }>(
        `SELECT id, stream_seq FROM ${outbox()} WHERE ordering_key = $1 ORDER BY seq`,
        [referralId],
      );
    // Its committing process released the later row to the relays, which wait for the earlier one.
    await waitFor(
      async () =>
        (await db.count(`SELECT count(*) FROM ${outbox()} WHERE id = $1 AND next_attempt_at <= now()`, [
          laterId,
        ])) === 1,
      { timeoutMs: 1_500, message: 'the later row released to the relays' },
    );
    expect((await sent()).every((r) => r.stream_seq === null)).toBe(true);

    await waitFor(async () => (await sent()).every((r) => r.stream_seq !== null), {
      timeoutMs: 8_000,
      message: 'both rows sent once the earlier one is due',
    });
    const [first, second] = await sent();
    expect([first.id, second.id]).toEqual([earlier.id, laterId]);
    expect(Number(first.stream_seq)).toBeLessThan(Number(second.stream_seq));
  });
});
