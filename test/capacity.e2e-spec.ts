import { randomInt, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { StreamKey, STREAMS } from '@app/contracts';
import { Topology } from '@app/messaging';
import {
  closeServices,
  dischargeRequest,
  DEMO_RESIDENCE,
  opsHeaders,
  ServiceUnderTest,
  SHARED_NATS_URL,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { HospitalService } from '@apps/hospital-intake/src/hospitals/hospital.service';
import { AppModule as OpsModule } from '@apps/ops-monitor/src/app.module';
import { DATABASE as OPS_DB } from '@apps/ops-monitor/src/database';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

const REFERRALS = 10;

/**
 * The figures behind docs/operations.md#capacity-planning: REFERRALS referrals taken from discharge to closure
 * (assigned, accepted, one session, closed) through hospital-intake, registration, rehab-site and ops-monitor on
 * one bus namespace, then, with every outbox sent and every durable drained, the messages and bytes each stream
 * holds and the rows and row bytes each schema holds, per referral. It prints them; the message count per
 * referral is held here so that a flow that publishes more fails until the capacity figures are revised.
 */
describe('capacity: messages, rows and bytes per referral', () => {
  const namespace = uniqueName('cap');
  const services = new Map<string, ServiceUnderTest>();
  const topology = new Topology(namespace);
  let db: TestDatabase;
  let ops: Record<string, string> = {};
  let hospitalKey = '';
  const siteId = `site-${randomUUID().slice(0, 6)}`;
  let siteKey = '';

  async function call(
    service: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const response = await fetch(`${services.get(service)!.url}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  const site = (referralId: string, action: string, body: unknown = {}) =>
    call(
      'rehab-site',
      'POST',
      `/v1/sites/${siteId}/referrals/${referralId}/${action}`,
      { 'x-api-key': siteKey },
      body,
    );
  const schema = (name: string) => services.get(name)!.schema;

  /** Every outbox sent and every durable of the namespace with nothing pending or unacknowledged. */
  async function quiet(): Promise<boolean> {
    for (const name of services.keys()) {
      const unsent = await db.count(
        `SELECT count(*) FROM "${schema(name)}".outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
      );
      if (unsent > 0) return false;
    }
    const nc = await connect({ servers: SHARED_NATS_URL.split(','), timeout: 2000 });
    try {
      const jsm = await jetstreamManager(nc);
      for (const key of Object.keys(STREAMS) as StreamKey[]) {
        const stream = topology.streamName(key);
        const consumers = await jsm.consumers.list(stream).next();
        if (consumers.some((c) => c.num_pending > 0 || c.num_ack_pending > 0)) return false;
      }
      return true;
    } finally {
      await nc.close();
    }
  }

  beforeAll(async () => {
    db = await testDatabase();
    const specs: [string, (o: Json) => Json, Json][] = [
      ['hospital-intake', (o) => IntakeModule.register(o), INTAKE_DB],
      ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
      ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
      ['ops-monitor', (o) => OpsModule.register(o), OPS_DB],
    ];
    for (const [name, register, database] of specs) {
      services.set(
        name,
        await startService({ register, database, namespace, config: { outboxPollIntervalMs: 50 } }),
      );
    }
    ops = await opsHeaders('ops-admin');
    for (const name of services.keys()) {
      await waitFor(async () => (await call(name, 'GET', '/health/ready', ops)).status === 200, {
        message: `${name} ready`,
      });
    }
    hospitalKey = (await services
      .get('hospital-intake')!
      .app.get(HospitalService)
      .register({
        id: `h-${randomUUID().slice(0, 8)}`,
        name: '安康市中心医院',
        level: 'tertiary',
        countyDivisionCode: '610902',
        kind: 'general',
        onCall: { name: '总值班', phone: '0915-0000000' },
      }))!;
    const created = await call('rehab-site', 'POST', '/v1/admin/sites', ops, {
      id: siteId,
      name: '城关镇康复站点',
      level: 'community-station',
      areaCodes: [DEMO_RESIDENCE],
      services: ['day-care', 'social-skills'],
      capacity: REFERRALS * 2,
    });
    expect(created.status).toBe(201);
    siteKey = created.body.apiKey as string;
  }, 240_000);

  afterAll(async () => {
    await closeServices(services.values(), namespace, db);
  });

  it('should count the messages, rows and bytes one referral leaves from discharge to closure', async () => {
    const referralIds: string[] = [];
    for (let i = 0; i < REFERRALS; i++) {
      const sent = await call(
        'hospital-intake',
        'POST',
        '/v1/discharges',
        { 'x-api-key': hospitalKey },
        dischargeRequest(randomInt(1_000_000_000)),
      );
      expect(sent.status).toBe(201);
      referralIds.push(sent.body.referralId as string);
    }
    await waitFor(
      async () =>
        (await db.count(`SELECT count(*) FROM "${schema('rehab-site')}".referral WHERE site_id = $1`, [
          siteId,
        ])) === REFERRALS,
      { timeoutMs: 90_000, message: 'every referral assigned' },
    );
    for (const referralId of referralIds) {
      expect((await site(referralId, 'accept')).status).toBe(200);
      const session = await site(referralId, 'sessions', {
        date: new Date().toISOString(),
        type: 'day-care',
        durationMinutes: 60,
        staff: '刘社工',
      });
      expect(session.status).toBe(200);
      const closed = await site(referralId, 'close', {
        outcome: 'recovered',
        followUp: { calledAt: new Date().toISOString(), reached: 'patient' },
      });
      expect(closed.status).toBe(200);
    }
    await waitFor(
      async () =>
        (await db.count(
          `SELECT count(*) FROM "${schema('ops-monitor')}".referral_summary WHERE state = 'closed'`,
        )) === REFERRALS,
      { timeoutMs: 90_000, message: 'every referral closed at ops-monitor' },
    );
    await waitFor(quiet, { timeoutMs: 90_000, message: 'outboxes sent and durables drained' });

    // The bus: messages and bytes (JetStream's stored size: subject, headers and body) per stream.
    const streams: Record<string, { messages: number; bytes: number }> = {};
    const subjects: Record<string, number> = {};
    const nc = await connect({ servers: SHARED_NATS_URL.split(','), timeout: 2000 });
    try {
      const jsm = await jetstreamManager(nc);
      for (const key of Object.keys(STREAMS) as StreamKey[]) {
        const { state } = await jsm.streams.info(topology.streamName(key), { subjects_filter: '>' });
        if (state.messages > 0) streams[key] = { messages: state.messages, bytes: state.bytes };
        for (const [subject, n] of Object.entries(state.subjects ?? {})) {
          // Per-recipient subjects (site.<id>.…) counted under their registry shape.
          const shape = subject
            .slice(namespace.length + 1)
            .replace(/^(site|hospital|provider)\.[^.]+\./, '$1.<id>.');
          subjects[shape] = (subjects[shape] ?? 0) + n;
        }
      }
    } finally {
      await nc.close();
    }
    // Postgres: rows and row bytes (pg_column_size of the row; indexes and page overhead come on top) per schema.
    const tables: Record<string, { rows: number; bytes: number; outbox: number }> = {};
    const perTable: Record<string, [rows: number, bytes: number]> = {};
    for (const name of services.keys()) {
      const names = await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
        [schema(name)],
      );
      let rows = 0;
      let bytes = 0;
      for (const { table_name } of names) {
        if (table_name === 'schema_migrations') continue;
        const [r] = await db.query<{ rows: string; bytes: string | null }>(
          `SELECT count(*) AS rows, sum(pg_column_size(t.*)) AS bytes FROM "${schema(name)}"."${table_name}" t`,
        );
        rows += Number(r.rows);
        bytes += Number(r.bytes ?? 0);
        if (Number(r.rows) > 0) perTable[`${name}.${table_name}`] = [Number(r.rows), Number(r.bytes ?? 0)];
      }
      const outbox = await db.count(`SELECT count(*) FROM "${schema(name)}".outbox`);
      tables[name] = { rows, bytes, outbox };
    }
    const per = (n: number) => Math.round((n / REFERRALS) * 10) / 10;
    const report = {
      referrals: REFERRALS,
      subjects: Object.fromEntries(Object.entries(subjects).map(([k, n]) => [k, per(n)])),
      streams: Object.fromEntries(
        Object.entries(streams).map(([k, v]) => [k, { messages: per(v.messages), bytes: per(v.bytes) }]),
      ),
      schemas: Object.fromEntries(
        Object.entries(tables).map(([k, v]) => [
          k,
          { rows: per(v.rows), bytes: per(v.bytes), outbox: per(v.outbox) },
        ]),
      ),
      tables: Object.fromEntries(
        Object.entries(perTable).map(([k, [n, b]]) => [k, `${per(n)} rows, ${per(b)} B`]),
      ),
    };
    console.log(`capacity per referral: ${JSON.stringify(report, null, 2)}`);

    const messages = Object.values(streams).reduce((sum, s) => sum + s.messages, 0);
    // Held: docs/operations.md#capacity-planning multiplies this out to a province and the country.
    expect(messages / REFERRALS).toBe(MESSAGES_PER_REFERRAL);
    const outboxRows = Object.values(tables).reduce((sum, t) => sum + t.outbox, 0);
    expect(outboxRows).toBe(messages); // every message on the bus left through one outbox row
  }, 300_000);
});

/** Messages on the bus per referral on this path (discharge, assignment, acceptance, one session, closure). */
const MESSAGES_PER_REFERRAL = 17;
