import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { EVENTS } from '@app/contracts';
import { ManualClock } from '@app/core';
import { buildEnvelope, Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  SHARED_NATS_URL,
  ServiceUnderTest,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { HospitalIntakeConfig } from '../src/config/hospital-intake.config';
import { DATABASE } from '../src/database';
import { HospitalService } from '../src/hospitals/hospital.service';

const GREEN: HospitalIntakeConfig['green'] = {
  ackWindowMinutes: 30,
  ackWindowHighRiskMinutes: 10,
  highRiskFromLevel: 4,
  jointManagementFromLevel: 3,
  sweepIntervalMs: 50,
  pageLimitMax: 100,
};

/**
 * The acknowledgement timer lives in Postgres: a case offered by one process moves on after that process is
 * gone, when a new one starts on the same schema; two replicas sweeping together move it once.
 */
describe('hospital-intake: green-case timers survive restarts and fire once across replicas', () => {
  const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
  const namespace = uniqueName('gt');
  const schema = uniqueName(`${namespace}_s`);
  let db: TestDatabase;
  let nc: NatsConnection;
  const running: ServiceUnderTest[] = [];

  const start = async () => {
    const service = await startService({
      register: (o) => AppModule.register(o, { green: GREEN }),
      database: DATABASE,
      clock,
      namespace,
      schema,
    });
    running.push(service);
    return service;
  };
  const outbox = (referralId: string, subject: string) =>
    db.count(`SELECT count(*) FROM "${schema}".outbox WHERE ordering_key = $1 AND subject = $2`, [
      referralId,
      subject,
    ]);

  beforeAll(async () => {
    db = await testDatabase();
    nc = await connect({ servers: SHARED_NATS_URL });
  });

  afterAll(async () => {
    await Promise.all(running.map((s) => s.close().catch(() => undefined)));
    await nc?.close();
    await deleteNamespaceStreams(SHARED_NATS_URL, namespace);
    await db.dropSchemas(schema);
    await db.close();
  });

  it('should move an offered case on after a restart, once, with two replicas sweeping', async () => {
    const first = await start();
    const hospitals = first.app.get(HospitalService);
    const suffix = randomUUID().slice(0, 6);
    const ids = [`t1-${suffix}`, `t2-${suffix}`];
    for (const id of ids) {
      await hospitals.register({
        id,
        name: id,
        level: 'secondary',
        countyDivisionCode: '610921',
        kind: 'psychiatric',
        onCall: { name: '总值班', phone: '0915-0000000' },
      });
    }
    await hospitals.designate('610921', ids);

    const referralId = randomUUID();
    const envelope = buildEnvelope(
      EVENTS.greenRelapseReported,
      'rehab-site',
      {
        referralId,
        siteId: 'site-1',
        observedRiskLevel: 2,
        reportedAt: clock.now().toISOString(),
        countyDivisionCode: '610921',
      },
      { subject: referralId },
    );
    await jetstream(nc).publish(
      new Topology(namespace).subject(EVENTS.greenRelapseReported.subject),
      JSON.stringify(envelope),
      { msgID: envelope.id },
    );
    await waitFor(async () => (await outbox(referralId, EVENTS.greenNotified.subject)) === 1, {
      message: 'offered to the first hospital',
    });

    await first.close(); // the process that started the timer is gone
    clock.advance(30 * 60_000);
    await Promise.all([start(), start()]); // two replicas on the same schema and bus
    await waitFor(async () => (await outbox(referralId, EVENTS.greenNotified.subject)) === 2, {
      message: 'moved on to the second hospital',
    });
    await new Promise((r) => setTimeout(r, 500)); // many sweeps of both replicas
    expect(await outbox(referralId, EVENTS.greenEscalated.subject)).toBe(1);
    expect(await outbox(referralId, EVENTS.greenNotified.subject)).toBe(2);
    const [row] = await db.query<{ hospital_id: string; step: number }>(
      `SELECT hospital_id, step FROM "${schema}".green_case WHERE referral_id = $1`,
      [referralId],
    );
    expect(row).toEqual({ hospital_id: ids[1], step: 2 });
  });
});
