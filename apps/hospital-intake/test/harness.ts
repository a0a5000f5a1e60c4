import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { EventDefinition } from '@app/contracts';
import { Clock, SystemClock } from '@app/core';
import { buildEnvelope, Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  expectValidFhir,
  SHARED_NATS_URL,
  ServiceUnderTest,
  startService,
  TestDatabase,
  testDatabase,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { HospitalIntakeConfig } from '../src/config/hospital-intake.config';
import { DATABASE } from '../src/database';
import { HospitalService } from '../src/hospitals/hospital.service';

export interface HospitalIntakeHarness {
  service: ServiceUnderTest;
  db: TestDatabase;
  /** The service's Clock: the system's unless the test passed one (a ManualClock). */
  clock: Clock;
  /** API keys of two hospitals (A refers; B must not see A's referrals). */
  keyA: string;
  keyB: string;
  hospitalA: string;
  hospitalB: string;
  close(): Promise<void>;
  count(table: string, where?: string, params?: unknown[]): Promise<number>;
  /**
   * The subjects of a referral's lifecycle events in the outbox, in order (its timeline steps pushed to the
   * hospital are left out: test/hospital-timeline.e2e-spec.ts checks them).
   */
  lifecycleSubjects(referralId: string): Promise<string[]>;
  /**
   * Publishes an event about a referral as its producer (`source`) would, on the service's bus (the referral is
   * its subject); answers the event id.
   */
  publishEvent(
    definition: EventDefinition,
    source: string,
    data: { referralId: string } & Record<string, unknown>,
  ): Promise<string>;
  send(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
    key?: string | null,
  ): Promise<{
    status: number;
    body: unknown;
    text: string;
    bytes: Buffer;
    contentType: string;
    location: string | null;
  }>;
}

export async function startHospitalIntakeHarness(
  settings: Partial<HospitalIntakeConfig> = {},
  clock: Clock = new SystemClock(),
): Promise<HospitalIntakeHarness> {
  const db = await testDatabase();
  const service = await startService({
    register: (o) => AppModule.register(o, settings),
    database: DATABASE,
    clock,
  });
  const hospitals = service.app.get(HospitalService);
  const suffix = randomUUID().slice(0, 8);
  const hospital = (id: string) => ({
    id,
    name: `测试医院 ${id}`,
    level: 'secondary' as const,
    countyDivisionCode: '610902',
    kind: 'psychiatric' as const,
    onCall: { name: '总值班', phone: '0915-0000000' },
  });
  const hospitalA = `ha-${suffix}`;
  const hospitalB = `hb-${suffix}`;
  const keyA = (await hospitals.register(hospital(hospitalA)))!;
  const keyB = (await hospitals.register(hospital(hospitalB)))!;
  const topology = new Topology(service.namespace);
  let bus: NatsConnection | undefined;
  const world: HospitalIntakeHarness = {
    service,
    db,
    clock,
    keyA,
    keyB,
    hospitalA,
    hospitalB,
    async close() {
      await bus?.close();
      await service.close();
      await deleteNamespaceStreams(SHARED_NATS_URL, service.namespace);
      await db.dropSchemas(service.schema);
      await db.close();
    },
    count: (table, where = 'true', params = []) =>
      db.count(`SELECT count(*) FROM "${service.schema}".${table} WHERE ${where}`, params),
    async lifecycleSubjects(referralId) {
      const rows = await db.query<{ subject: string }>(
        `SELECT subject FROM "${service.schema}".outbox
          WHERE ordering_key = $1 AND subject NOT LIKE 'hospital.%' ORDER BY seq`,
        [referralId],
      );
      return rows.map((r) => r.subject);
    },
    async publishEvent(definition, source, data) {
      bus ??= await connect({ servers: SHARED_NATS_URL });
      const envelope = buildEnvelope<object>(definition, source, data, { subject: data.referralId });
      await jetstream(bus).publish(topology.subject(definition.subject), JSON.stringify(envelope), {
        msgID: envelope.id,
      });
      return envelope.id;
    },
    async send(path, body, headers = {}, key = keyA) {
      const response = await fetch(`${service.url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { 'x-api-key': key } : {}),
          ...headers,
        },
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      const text = bytes.toString('utf8');
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON (HL7 ACK)
      }
      // Every answer on a FHIR path is checked against the official FHIR R4 JSON schema.
      if (path.startsWith('/v1/fhir')) expectValidFhir(parsed, `POST ${path} → ${response.status}`);
      return {
        status: response.status,
        body: parsed,
        text,
        bytes,
        contentType: response.headers.get('content-type') ?? '',
        location: response.headers.get('location'),
      };
    },
  };
  return world;
}
