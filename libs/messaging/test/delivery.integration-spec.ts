import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { EVENTS, STREAMS } from '@app/contracts';
import { register } from 'prom-client';
import { buildEnvelope, DeadLetterService, SECURITY_ALERT_CODE, Topology } from '@app/messaging';
import {
  countSubjectMessages,
  deadLetterFor,
  opsAlertsIn,
  deleteNamespaceStreams,
  holdsFor,
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

/** Outbox → JetStream → @OnEvent handler in another app, against the real Postgres and NATS. */
describe('JetStream delivery between services', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;
  let consumer: RunningProbe;
  let topology: Topology;

  const effects = (referralId: string) =>
    db.count(`SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = $1`, [
      referralId,
    ]);
  const effectsOf = (ids: string[]) =>
    db.query<{ referral_id: string; n: string }>(
      `SELECT referral_id, count(*) AS n FROM "${world.consumerSchema}".probe_effect WHERE referral_id = ANY($1) GROUP BY referral_id`,
      [ids],
    );

  /** A referral.discharged as `source` would publish it. */
  const discharged = (source: string, referralId: string, hospitalId: string) =>
    buildEnvelope(
      EVENTS.referralDischarged,
      source,
      {
        referralId,
        hospitalId,
        encounterId: `enc-${hospitalId}`,
        dischargedAt: new Date().toISOString(),
        residenceDivisionCode: '610902',
      },
      { subject: referralId },
    );

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    topology = new Topology(world.namespace);
    producer = await startProbe('producer', world);
    consumer = await startProbe('consumer', world);
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  it('should deliver an event written through the outbox to the other app exactly once', async () => {
    const [referralId] = await postDischarges(producer.url, 'h-ok', 1);

    await waitFor(async () => (await effects(referralId)) === 1, { message: 'effect recorded' });
    const [outbox] = await db.query<{ published_at: Date | null; stream_seq: string }>(
      `SELECT published_at, stream_seq FROM "${world.producerSchema}".outbox WHERE ordering_key = $1`,
      [referralId],
    );
    expect(outbox.published_at).not.toBeNull();
    expect(Number(outbox.stream_seq)).toBeGreaterThan(0);
    await holdsFor(async () => (await effects(referralId)) === 1, 1500);
    expect(
      await countSubjectMessages(
        world.natsUrl,
        topology.streamName('REFERRAL'),
        topology.subject(EVENTS.referralDischarged.subject),
      ),
    ).toBeGreaterThanOrEqual(1);
  });

  it('should keep one effect per event when a batch of 200 is published at once', async () => {
    const ids = await postDischarges(producer.url, 'h-batch', 200);

    await waitFor(async () => (await effectsOf(ids)).length === 200, {
      timeoutMs: 30_000,
      message: '200 effects',
    });
    await holdsFor(async () => (await effectsOf(ids)).every((r) => Number(r.n) === 1), 1000);
    const rows = await effectsOf(ids);
    expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
  });

  it('should have one effect when the same event is published again under another message id', async () => {
    const referralId = randomUUID();
    const envelope = discharged('hospital-intake', referralId, 'h-dup');
    const nc = await connect({ servers: world.natsUrl });
    try {
      const js = jetstream(nc);
      const subject = topology.subject(EVENTS.referralDischarged.subject);
      const body = JSON.stringify(envelope);
      const first = await js.publish(subject, body, { msgID: envelope.id });
      const sameId = await js.publish(subject, body, { msgID: envelope.id });
      const otherId = await js.publish(subject, body, { msgID: randomUUID() });
      expect(sameId.duplicate).toBe(true);
      expect(otherId.duplicate).toBe(false);
      expect(otherId.seq).toBeGreaterThan(first.seq);
    } finally {
      await nc.close();
    }

    await waitFor(
      async () =>
        (await db.count(`SELECT count(*) FROM "${world.consumerSchema}".probe_attempt WHERE event_id = $1`, [
          envelope.id,
        ])) >= 1,
    );
    await waitFor(async () => (await effects(referralId)) === 1, { message: 'effect recorded' });
    await holdsFor(async () => (await effects(referralId)) === 1, 1500);
    expect(
      await db.count(`SELECT count(*) FROM "${world.consumerSchema}".inbox WHERE event_id = $1`, [
        envelope.id,
      ]),
    ).toBe(1);
  });

  it('should refuse a referral.discharged declared by another service: dead letter, security alert, metric', async () => {
    const refused = async () =>
      ((await register.getSingleMetric('referral_events_refused_total')?.get())?.values ?? [])
        .filter((v) => v.labels.code === 'EVENT_ORIGIN_REFUSED')
        .reduce((sum, v) => sum + v.value, 0);
    const before = await refused();
    const referralId = randomUUID();
    const forged = discharged('registration', referralId, 'h-forged');
    const nc = await connect({ servers: world.natsUrl });
    try {
      await jetstream(nc).publish(
        topology.subject(EVENTS.referralDischarged.subject),
        JSON.stringify(forged),
        {
          msgID: forged.id,
        },
      );
    } finally {
      await nc.close();
    }

    const letter = await deadLetterFor(db, world.consumerSchema, forged.id);
    expect(letter).toMatchObject({ error_code: 'EVENT_ORIGIN_REFUSED', event_id: forged.id, deliveries: 1 });
    expect(letter.error_message).toContain('only /hospital-intake may publish');
    expect(await effects(referralId)).toBe(0);
    const [alert] = await opsAlertsIn(db, world.consumerSchema, SECURITY_ALERT_CODE);
    expect(alert).toMatchObject({ severity: 'critical', service: 'ops-monitor' });
    expect(JSON.stringify(alert)).not.toContain('enc-h-forged');
    expect(await refused()).toBe(before + 1);
  });

  it('should redeliver a transient failure with backoff and then succeed once', async () => {
    const [referralId] = await postDischarges(producer.url, 'flaky-1', 1);

    await waitFor(async () => (await effects(referralId)) === 1, { message: 'effect after retries' });
    const attempts = await db.query<{ delivery: number; at: Date }>(
      `SELECT a.delivery, a.at FROM "${world.consumerSchema}".probe_attempt a
         JOIN "${world.consumerSchema}".probe_effect e ON e.event_id = a.event_id
        WHERE e.referral_id = $1 ORDER BY a.delivery`,
      [referralId],
    );
    expect(attempts.map((a) => a.delivery)).toEqual([1, 2, 3]);
    // Backoff of the probe consumer: 200 ms after delivery 1, 400 ms after delivery 2.
    expect(attempts[1].at.getTime() - attempts[0].at.getTime()).toBeGreaterThanOrEqual(180);
    expect(attempts[2].at.getTime() - attempts[1].at.getTime()).toBeGreaterThanOrEqual(380);
    const [effect] = await db.query<{ delivery: number }>(
      `SELECT delivery FROM "${world.consumerSchema}".probe_effect WHERE referral_id = $1`,
      [referralId],
    );
    expect(effect.delivery).toBe(3);
  });

  it('should dead-letter a poison message at once without stalling the messages behind it', async () => {
    const [poisonId] = await postDischarges(producer.url, 'poison-1', 1);
    const behind = await postDischarges(producer.url, 'h-behind', 20);

    await waitFor(async () => (await effectsOf(behind)).length === 20, {
      message: 'messages behind the poison',
    });
    const [letter] = await waitFor(() =>
      db
        .query<{ error_code: string; deliveries: number; event_type: string; payload: string }>(
          `SELECT error_code, deliveries, event_type, payload FROM "${world.consumerSchema}".dead_letter
          WHERE payload LIKE $1`,
          [`%${poisonId}%`],
        )
        .then((rows) => (rows.length ? rows : undefined)),
    );
    expect(letter).toMatchObject({
      error_code: 'PROBE_POISON',
      deliveries: 1,
      event_type: EVENTS.referralDischarged.type,
    });
    expect(await effects(poisonId)).toBe(0);
    // The DLQ record and the ops alert go out through the consumer's outbox.
    await waitFor(
      async () => {
        const sent = await db.query<{ subject: string }>(
          `SELECT subject FROM "${world.consumerSchema}".outbox WHERE published_at IS NOT NULL`,
        );
        const subjects = sent.map((s) => s.subject);
        return (
          subjects.includes(EVENTS.deadLetterRecorded.subject) &&
          subjects.includes(EVENTS.opsAlertRaised.subject)
        );
      },
      { message: 'DLQ record and ops alert published' },
    );
    expect(
      await countSubjectMessages(
        world.natsUrl,
        topology.streamName('DLQ'),
        topology.subject(EVENTS.deadLetterRecorded.subject),
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(STREAMS.DLQ.subjectRoot).toBe('dlq');
  });

  it('should dead-letter after max deliveries and process the message once when replayed', async () => {
    const [brokenId] = await postDischarges(producer.url, 'broken-1', 1);

    const [letter] = await waitFor(
      () =>
        db
          .query<{ id: string; error_code: string; deliveries: number }>(
            `SELECT id, error_code, deliveries FROM "${world.consumerSchema}".dead_letter WHERE payload LIKE $1`,
            [`%${brokenId}%`],
          )
          .then((rows) => (rows.length ? rows : undefined)),
      { message: 'dead letter after max deliveries' },
    );
    expect(letter.error_code).toBe('MAX_DELIVERIES_EXCEEDED');
    expect(letter.deliveries).toBe(4);
    expect(await effects(brokenId)).toBe(0);

    await db.query(`INSERT INTO "${world.consumerSchema}".probe_heal (hospital_id) VALUES ('broken-1')`);
    const result = await consumer.app.get(DeadLetterService).replay(letter.id);
    expect(result.replayMessageId).not.toEqual(letter.id);

    await waitFor(async () => (await effects(brokenId)) === 1, { message: 'effect after replay' });
    await holdsFor(async () => (await effects(brokenId)) === 1, 1000);
    const [replayed] = await db.query<{ replayed_at: Date | null; replay_count: number }>(
      `SELECT replayed_at, replay_count FROM "${world.consumerSchema}".dead_letter WHERE id = $1`,
      [letter.id],
    );
    expect(replayed.replayed_at).not.toBeNull();
    expect(replayed.replay_count).toBe(1);
  });

  it('should dead-letter a message that is not a valid event without calling the handler', async () => {
    const nc = await connect({ servers: world.natsUrl });
    const marker = randomUUID();
    try {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', marker);
      await jetstream(nc).publish(
        topology.subject(EVENTS.referralDischarged.subject),
        `{"not":"a cloudevent","m":"${marker}"}`,
        {
          headers: h,
        },
      );
    } finally {
      await nc.close();
    }
    const [letter] = await waitFor(() =>
      db
        .query<{ error_code: string; event_id: string | null }>(
          `SELECT error_code, event_id FROM "${world.consumerSchema}".dead_letter WHERE payload LIKE $1`,
          [`%${marker}%`],
        )
        .then((rows) => (rows.length ? rows : undefined)),
    );
    expect(letter).toEqual({ error_code: 'INVALID_EVENT', event_id: null });
    await expect(
      consumer.app
        .get(DeadLetterService)
        .replay(
          (
            await db.query<{ id: string }>(
              `SELECT id FROM "${world.consumerSchema}".dead_letter WHERE payload LIKE $1`,
              [`%${marker}%`],
            )
          )[0].id,
        ),
    ).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_REPLAYABLE' });
  });

  it('should carry the caller’s trace and correlation id into the events and the dead-letter records', async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const response = await fetch(`${producer.url}/probe/discharges`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await opsHeaders()),
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
        'x-correlation-id': 'corr-trace-1',
      },
      body: JSON.stringify({ hospitalId: 'poison-trace', count: 1 }),
    });
    expect(response.status).toBe(201);
    const [referralId] = ((await response.json()) as { referralIds: string[] }).referralIds;

    const [sent] = await db.query<{ id: string; headers: Record<string, string>; payload: string }>(
      `SELECT id, headers, payload FROM "${world.producerSchema}".outbox WHERE ordering_key = $1`,
      [referralId],
    );
    expect(sent.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(sent.headers.traceparent).not.toContain('00f067aa0ba902b7');
    expect(JSON.parse(sent.payload)).toMatchObject({ correlationid: 'corr-trace-1' });

    const [record] = await waitFor(() =>
      db
        .query<{ headers: Record<string, string>; payload: string }>(
          `SELECT headers, payload FROM "${world.consumerSchema}".outbox WHERE subject = $1 AND payload LIKE $2`,
          [EVENTS.deadLetterRecorded.subject, `%${sent.id}%`],
        )
        .then((rows) => (rows.length ? rows : undefined)),
    );
    expect(record.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-`));
    expect(JSON.parse(record.payload)).toMatchObject({ correlationid: 'corr-trace-1', causationid: sent.id });
  });

  it('should not log request bodies or event payloads', async () => {
    const marker = `MARKER${randomUUID().replace(/-/g, '')}`;
    await postDischarges(producer.url, `poison-${marker.slice(0, 20)}`, 1);
    await waitFor(
      async () =>
        (await db.count(`SELECT count(*) FROM "${world.consumerSchema}".dead_letter WHERE payload LIKE $1`, [
          `%${marker.slice(0, 20)}%`,
        ])) === 1,
    );
    const logged = [...producer.logs.lines, ...consumer.logs.lines].join('\n');
    expect(producer.logs.lines.length + consumer.logs.lines.length).toBeGreaterThan(0);
    expect(logged).not.toContain(marker.slice(0, 20));
  });
});
