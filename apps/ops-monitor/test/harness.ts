import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { EventDefinition, EVENTS, referralSealContext, ServiceName, SHARED_EVENTS } from '@app/contracts';
import { ManualClock } from '@app/core';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { buildEnvelope, Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  opsHeaders,
  ServiceUnderTest,
  SHARED_NATS_URL,
  startService,
  TestDatabase,
  testDatabase,
  waitFor,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { OpsMonitorConfig } from '../src/config/ops-monitor.config';
import { DATABASE } from '../src/database';

/** Real residence codes in 安康市汉滨区 (county 610902) and 平利县 (610926). */
export const RESIDENCES = { hanbin: '610902001003', pingli: '610926100001' } as const;

export interface HttpResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
  body: any;
}

/** Seconds after the discharge at which each step of a journey happens (omit a step to stop before it). */
export interface JourneySteps {
  assessed?: number;
  registered?: number;
  assigned?: number;
  accepted?: number;
  firstSession?: number;
}

/** One ops-monitor in-process on its own schema and bus namespace; events are published as their producers would. */
export class OpsMonitorHarness {
  readonly clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
  readonly cipher = new FieldCipher(keyringFromEnv());
  service!: ServiceUnderTest;
  db!: TestDatabase;
  topology!: Topology;
  viewer: Record<string, string> = {};
  admin: Record<string, string> = {};
  private nc?: NatsConnection;

  async start(settings: Partial<OpsMonitorConfig> = {}): Promise<this> {
    this.viewer = await opsHeaders('ops-viewer');
    this.admin = await opsHeaders('ops-admin');
    this.db = await testDatabase();
    this.service = await startService({
      register: (o) =>
        AppModule.register(o, { stuckSweepIntervalMs: 100, busPollIntervalMs: 100, ...settings }),
      database: DATABASE,
      clock: this.clock,
      config: { outboxPollIntervalMs: 50 },
    });
    this.topology = new Topology(this.service.namespace);
    this.nc = await connect({ servers: SHARED_NATS_URL });
    // Streams and consumers are provisioned once ready.
    await waitFor(async () => (await this.http('GET', '/health/ready', this.viewer)).status === 200, {
      message: 'ops-monitor ready',
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.service?.close();
    await this.nc?.close();
    if (this.service) {
      await deleteNamespaceStreams(SHARED_NATS_URL, this.service.namespace);
      await this.db.dropSchemas(this.service.schema);
    }
    await this.db?.close();
  }

  async http(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<HttpResult> {
    const response = await fetch(`${this.service.url}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    return { status: response.status, body: isJson && text ? (JSON.parse(text) as unknown) : text };
  }

  /** Publishes an event onto the namespace's stream as its producer would, with the given event time. */
  async publish<T extends object>(
    definition: EventDefinition<T>,
    data: T,
    referralId: string | undefined,
    time: Date,
    again?: { eventId: string },
  ): Promise<string> {
    // A shared ops record comes from the service it names (the origin check refuses any other sender).
    const named = (data as { service?: unknown }).service;
    const sender =
      SHARED_EVENTS.includes(definition) && typeof named === 'string'
        ? (named as ServiceName)
        : definition.producer;
    const envelope = buildEnvelope(definition, sender, data, {
      subject: referralId,
      time,
      id: again?.eventId,
    });
    // `again`: the same event under another message id, so the stream keeps the copy and the inbox must drop it.
    await jetstream(this.nc!).publish(this.topology.subject(definition.subject), JSON.stringify(envelope), {
      msgID: again ? `${envelope.id}-again` : envelope.id,
    });
    return envelope.id;
  }

  /** A referral from discharge through the steps given, at `start` + the seconds of each step. */
  async journey(start: Date, steps: JourneySteps, residence: string = RESIDENCES.hanbin): Promise<string> {
    const referralId = randomUUID();
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    const hospitalId = 'h-ankang-1';
    const encounterId = `enc-${referralId.slice(0, 8)}`;
    await this.publish(
      EVENTS.referralDischarged,
      {
        referralId,
        hospitalId,
        encounterId,
        dischargedAt: start.toISOString(),
        residenceDivisionCode: residence,
      },
      referralId,
      start,
    );
    if (steps.assessed === undefined) return referralId;
    await this.publish(
      EVENTS.referralAssessed,
      {
        referralId,
        hospitalId,
        riskLevel: 1,
        conditionStatus: 'stable',
        colourGrade: 'green',
        eligibleForCommunityRehab: true,
        rehabNeeds: ['day-care'],
        employmentInterest: false,
        assessedAt: at(steps.assessed).toISOString(),
        encounterId,
        residenceDivisionCode: residence,
        sealedPatient: this.cipher.sealJson({ name: '张三' }, referralSealContext('patient', referralId)),
        consents: [],
      },
      referralId,
      at(steps.assessed),
    );
    if (steps.registered === undefined) return referralId;
    await this.publish(
      EVENTS.referralRegistered,
      {
        referralId,
        registrationId: randomUUID(),
        patientRef: randomUUID(),
        residenceDivisionCode: residence,
        needs: ['day-care'],
        riskLevel: 1,
        colourGrade: 'green',
        registeredAt: at(steps.registered).toISOString(),
        sealedContact: this.cipher.sealJson(
          { name: '张三', phone: '13800138000' },
          referralSealContext('siteContact', referralId),
        ),
      },
      referralId,
      at(steps.registered),
    );
    if (steps.assigned === undefined) return referralId;
    await this.publish(
      EVENTS.referralAssigned,
      {
        referralId,
        siteId: 'site-laocheng',
        siteName: '老城街道康复站',
        hop: 1,
        assignedAt: at(steps.assigned).toISOString(),
        answerDueAt: at(steps.assigned + 72 * 3600).toISOString(),
        needsManualPlacement: false,
      },
      referralId,
      at(steps.assigned),
    );
    if (steps.accepted === undefined) return referralId;
    await this.publish(
      EVENTS.referralAccepted,
      { referralId, siteId: 'site-laocheng', acceptedAt: at(steps.accepted).toISOString() },
      referralId,
      at(steps.accepted),
    );
    if (steps.firstSession === undefined) return referralId;
    const sessionAt = at(steps.firstSession).toISOString();
    await this.publish(
      EVENTS.referralServiceRecorded,
      {
        referralId,
        siteId: 'site-laocheng',
        kind: 'session',
        occurredAt: sessionAt,
        serviceType: 'day-care',
        durationMinutes: 60,
        recordedAt: sessionAt,
      },
      referralId,
      at(steps.firstSession),
    );
    return referralId;
  }

  async timeline(referralId: string): Promise<HttpResult> {
    return this.http('GET', `/v1/referrals/${referralId}/timeline`, this.viewer);
  }

  async dashboard(county?: string): Promise<HttpResult> {
    return this.http('GET', `/v1/dashboard${county ? `?county=${county}` : ''}`, this.viewer);
  }

  async metrics(): Promise<string> {
    return (await this.http('GET', '/metrics', this.viewer)).body as string;
  }
}

export async function startOpsMonitorHarness(
  settings: Partial<OpsMonitorConfig> = {},
): Promise<OpsMonitorHarness> {
  return new OpsMonitorHarness().start(settings);
}
