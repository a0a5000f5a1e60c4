import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { register } from 'prom-client';
import { EVENTS } from '@app/contracts';
import { buildEnvelope, SECURITY_ALERT_CODE, Topology } from '@app/messaging';
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

/** A consumer checks who published an event: a forged one is refused, dead-lettered and raised to ops. */
describe('proof of origin in the transport', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;
  let consumer: RunningProbe;
  let topology: Topology;

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

  const effects = (referralId: string) =>
    db.count(`SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = $1`, [
      referralId,
    ]);

  const refusedCount = async () => {
    const metric = await register.getSingleMetric('referral_events_refused_total')?.get();
    return (metric?.values ?? [])
      .filter((v) => v.labels.code === 'EVENT_ORIGIN_REFUSED')
      .reduce((sum, v) => sum + v.value, 0);
  };

  it('should handle a discharge from hospital-intake, its producer', async () => {
    const [referralId] = await postDischarges(producer.url, 'h-origin', 1);
    await waitFor(async () => (await effects(referralId)) === 1, { message: 'genuine event handled' });
  });

  it('should refuse a referral.discharged declared by another service: dead letter, security alert, metric', async () => {
    const before = await refusedCount();
    const referralId = randomUUID();
    const forged = buildEnvelope(
      EVENTS.referralDischarged,
      'registration',
      {
        referralId,
        hospitalId: 'h-forged',
        encounterId: 'enc-forged',
        dischargedAt: new Date().toISOString(),
        residenceDivisionCode: '610902',
      },
      { subject: referralId },
    );
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

    const [letter] = await waitFor(
      () =>
        db
          .query<{ error_code: string; event_id: string; deliveries: number; error_message: string }>(
            `SELECT error_code, event_id, deliveries, error_message FROM "${world.consumerSchema}".dead_letter
             WHERE event_id = $1`,
            [forged.id],
          )
          .then((rows) => (rows.length ? rows : undefined)),
      { message: 'forged event dead-lettered' },
    );
    expect(letter).toMatchObject({ error_code: 'EVENT_ORIGIN_REFUSED', event_id: forged.id, deliveries: 1 });
    expect(letter.error_message).toContain('only /hospital-intake may publish');
    expect(await effects(referralId)).toBe(0);

    const [alert] = await waitFor(
      () =>
        db
          .query<{ payload: string; published_at: Date | null }>(
            `SELECT payload, published_at FROM "${world.consumerSchema}".outbox WHERE subject = $1 AND payload LIKE $2`,
            [EVENTS.opsAlertRaised.subject, `%${SECURITY_ALERT_CODE}%`],
          )
          .then((rows) => (rows.some((r) => r.published_at) ? rows : undefined)),
      { message: 'security alert published' },
    );
    const data = (JSON.parse(alert.payload) as { data: Record<string, unknown> }).data;
    expect(data).toMatchObject({ code: SECURITY_ALERT_CODE, severity: 'critical', service: 'ops-monitor' });
    expect(JSON.stringify(data)).not.toContain('enc-forged');
    expect(await refusedCount()).toBe(before + 1);
  });
});
