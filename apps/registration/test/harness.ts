import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  ConsentGrantDto,
  EventDefinition,
  EVENTS,
  EventEnvelope,
  PatientIdentityDto,
  ReferralAssessedData,
  referralSealContext,
} from '@app/contracts';
import { ManualClock } from '@app/core';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { buildEnvelope, Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  SHARED_NATS_URL,
  ServiceUnderTest,
  startService,
  TestDatabase,
  testDatabase,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { ApiClientSeed, upsertApiClients } from '../src/auth/demo-clients';
import { RegistrationConfig } from '../src/config/registration.config';
import { DATABASE } from '../src/database';
import { DeadlineSweeper } from '../src/registrations/deadline-sweeper.service';

/** The same development keys the service uses (hospital-intake seals with the same keyring). */
export const cipher = new FieldCipher(keyringFromEnv());

export interface RegistrationHarness {
  readonly service: ServiceUnderTest;
  readonly db: TestDatabase;
  readonly clock: ManualClock;
  readonly topology: Topology;
  /** API keys by organisation kind (fresh random keys per run). */
  readonly keys: Record<
    'familyPortal' | 'villageCommittee' | 'socialOrg' | 'enterprise' | 'centre' | 'otherCentre',
    string
  >;
  readonly sweeper: DeadlineSweeper;
  close(): Promise<void>;
}

export async function startRegistrationHarness(
  settings: Partial<RegistrationConfig> = {},
): Promise<RegistrationHarness> {
  const clock = new ManualClock(new Date());
  const db = await testDatabase();
  const service = await startService({
    register: (overrides) =>
      AppModule.register(overrides, {
        sweepIntervalMs: 0,
        // Notices are dispatched by the test (NoticeDispatcher.dispatch()), through the development sender.
        notices: {
          sender: 'log',
          maxAttempts: 5,
          retryBaseMs: 60_000,
          dispatchIntervalMs: 0,
          leaseMs: 300_000,
        },
        ...settings,
      }),
    database: DATABASE,
    clock,
    // Specs publish referral.assessed to the namespace right away (notices.integration-spec once got "no responders").
    awaitBus: true,
  });
  const key = () => randomBytes(18).toString('base64url');
  const keys = {
    familyPortal: key(),
    villageCommittee: key(),
    socialOrg: key(),
    enterprise: key(),
    centre: key(),
    otherCentre: key(),
  };
  const clients: ApiClientSeed[] = [
    {
      organisationId: 'fam-1',
      organisationName: 'family portal',
      kind: 'family-portal',
      divisionCode: '610902',
      apiKey: keys.familyPortal,
    },
    {
      organisationId: 'jwh-1',
      organisationName: '居委会',
      kind: 'village-committee',
      divisionCode: '610902001',
      apiKey: keys.villageCommittee,
    },
    {
      organisationId: 'soc-1',
      organisationName: '社会组织',
      kind: 'social-organisation',
      divisionCode: '610902',
      apiKey: keys.socialOrg,
    },
    {
      organisationId: 'ent-1',
      organisationName: '企业',
      kind: 'enterprise',
      divisionCode: '610902',
      apiKey: keys.enterprise,
    },
    {
      organisationId: 'centre-hanbin',
      organisationName: '汉滨区中心',
      kind: 'county-centre',
      divisionCode: '610902',
      apiKey: keys.centre,
    },
    {
      organisationId: 'centre-shiquan',
      organisationName: '石泉县中心',
      kind: 'county-centre',
      divisionCode: '610922',
      apiKey: keys.otherCentre,
    },
  ];
  await upsertApiClients((sql, params) => db.query(sql, params), service.schema, clients);
  return {
    service,
    db,
    clock,
    topology: new Topology(service.namespace),
    keys,
    sweeper: service.app.get(DeadlineSweeper),
    async close() {
      await service.close();
      await deleteNamespaceStreams(SHARED_NATS_URL, service.namespace);
      await db.dropSchemas(service.schema);
      await db.close();
    },
  };
}

/** A valid GB 11643 number (checksum computed) for a birth date, with a random sequence. */
export function idNumber(birthDate: string): string {
  const seq = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const body = `610902${birthDate.replace(/-/g, '')}${seq}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = body.split('').reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** A random birth date between 1950 and 2005 (so ID numbers of test people do not collide). */
function birthDate(): string {
  const start = Date.UTC(1950, 0, 1);
  const day = start + Math.floor(Math.random() * 20_000) * 86_400_000;
  return new Date(day).toISOString().slice(0, 10);
}

/** A person with names and numbers unlikely to appear anywhere by chance. */
export function person(overrides: Partial<PatientIdentityDto> = {}): PatientIdentityDto {
  const tag = randomBytes(3).toString('hex');
  const born = overrides.birthDate ?? birthDate();
  return {
    name: `测试患者${tag}`,
    idNumber: idNumber(born),
    birthDate: born,
    sex: 'female',
    phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    address: `汉滨区老城街道测试路${tag}号`,
    residenceDivisionCode: '610902001003',
    lacksCapacity: false,
    ...overrides,
  };
}

export const consent = (overrides: Partial<ConsentGrantDto> = {}): ConsentGrantDto => ({
  purpose: 'community-rehab',
  grantedBy: 'patient',
  method: 'signed-at-hospital',
  grantedAt: new Date(Date.now() - 3_600_000).toISOString(),
  ...overrides,
});

/** Publishes a referral.assessed (as hospital-intake would) onto the namespace's stream. */
export async function publishAssessed(
  world: RegistrationHarness,
  patient: PatientIdentityDto,
  consents: ConsentGrantDto[],
  overrides: Partial<ReferralAssessedData> = {},
): Promise<string> {
  const referralId = overrides.referralId ?? randomUUID();
  const data: ReferralAssessedData = {
    referralId,
    hospitalId: 'ak-hospital-1',
    riskLevel: 1,
    conditionStatus: 'stable',
    colourGrade: 'green',
    eligibleForCommunityRehab: true,
    rehabNeeds: ['day-care', 'life-skills'],
    employmentInterest: false,
    assessedAt: new Date().toISOString(),
    encounterId: `enc-${referralId.slice(0, 8)}`,
    residenceDivisionCode: patient.residenceDivisionCode,
    sealedPatient: cipher.sealJson(patient, referralSealContext('patient', referralId)),
    consents,
    ...overrides,
  };
  await publishEvent(world, EVENTS.referralAssessed, data, referralId);
  return referralId;
}

/** Publishes an event onto the namespace's stream as its producer would (e.g. referral.assigned from rehab-site). */
export async function publishEvent<T extends object>(
  world: RegistrationHarness,
  definition: EventDefinition<T>,
  data: T,
  subject: string,
): Promise<string> {
  const envelope = buildEnvelope(definition, definition.producer, data, { subject });
  const nc = await connect({ servers: SHARED_NATS_URL });
  try {
    await jetstream(nc).publish(world.topology.subject(definition.subject), JSON.stringify(envelope), {
      msgID: envelope.id,
    });
  } finally {
    await nc.close();
  }
  return envelope.id;
}

/** Every CloudEvent on the namespace's REFERRAL stream (read back from the server). */
export async function streamEvents(world: RegistrationHarness): Promise<EventEnvelope[]> {
  const nc = await connect({ servers: SHARED_NATS_URL });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = world.topology.streamName('REFERRAL');
    const info = await jsm.streams.info(stream);
    const events: EventEnvelope[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (message) events.push(message.json<EventEnvelope>());
    }
    return events;
  } finally {
    await nc.close();
  }
}

export async function http(
  world: RegistrationHarness,
  method: 'GET' | 'POST',
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> & { [k: string]: unknown } }> {
  const response = await fetch(`${world.service.url}${path}`, {
    method,
    // An ops JWT (three dot-separated parts) goes as a bearer token, anything else as the API key.
    headers: {
      'content-type': 'application/json',
      ...(key && key.split('.').length === 3 ? { authorization: `Bearer ${key}` } : {}),
      ...(key && key.split('.').length !== 3 ? { 'x-api-key': key } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export async function applicationRow(
  world: RegistrationHarness,
  id: string,
): Promise<{ status: string; registration_id: string } | undefined> {
  const [row] = await world.db.query<{ status: string; registration_id: string }>(
    `SELECT status, registration_id FROM "${world.service.schema}".application WHERE id = $1`,
    [id],
  );
  return row;
}

export async function outboxOf(
  world: RegistrationHarness,
  referralIds: string[],
): Promise<
  {
    subject: string;
    ordering_key: string;
    published_at: Date | null;
    cancelled_at: Date | null;
    seq: string;
  }[]
> {
  return world.db.query(
    `SELECT subject, ordering_key, published_at, cancelled_at, seq FROM "${world.service.schema}".outbox
      WHERE ordering_key = ANY($1) ORDER BY seq`,
    [referralIds],
  );
}

/** A consent the channel brings with its application (signed online a minute ago). */
export const onlineConsent = () => ({
  purpose: 'community-rehab',
  grantedBy: 'patient',
  method: 'signed-online',
  grantedAt: new Date(Date.now() - 60_000).toISOString(),
});

/** The county centre's verification (初核登记) of an application: `verified`. */
export const verify = (world: RegistrationHarness, applicationId: string) =>
  http(world, 'POST', `/v1/applications/${applicationId}/verification`, world.keys.centre, {
    outcome: 'verified',
  });

/** The county centre's verification and, when it requests one, its assessment of an application. */
export async function verifyAndAssess(
  world: RegistrationHarness,
  applicationId: string,
): Promise<Record<string, unknown>> {
  const verified = await verify(world, applicationId);
  if (verified.status !== 200)
    throw new Error(`verification: ${verified.status} ${JSON.stringify(verified.body)}`);
  if (verified.body.status !== 'assessment-requested') return verified.body;
  const assessed = await http(
    world,
    'POST',
    `/v1/applications/${applicationId}/assessment`,
    world.keys.centre,
    {
      riskLevel: 1,
      conditionStatus: 'stable',
      colourGrade: 'green',
      eligibleForCommunityRehab: true,
      rehabNeeds: ['day-care'],
      employmentInterest: false,
      assessedAt: new Date().toISOString(),
    },
  );
  if (assessed.status !== 200)
    throw new Error(`assessment: ${assessed.status} ${JSON.stringify(assessed.body)}`);
  return assessed.body;
}

/** The referral.registered events on the stream for one application (referral) id. */
export async function registeredEventsOf(
  world: RegistrationHarness,
  referralId: string,
): Promise<EventEnvelope[]> {
  return (await streamEvents(world)).filter(
    (e) => e.type === EVENTS.referralRegistered.type && e.subject === referralId,
  );
}
