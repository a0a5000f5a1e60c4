import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { EVENTS, referralSealContext, SERVICES } from '@app/contracts';
import { ManualClock } from '@app/core';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  httpCall,
  opsHeaders,
  publishAs,
  ServiceUnderTest,
  SHARED_NATS_URL,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule as EmploymentModule } from '@apps/employment-referral/src/app.module';
import { DATABASE as EMPLOYMENT_DB } from '@apps/employment-referral/src/database';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

const COMMITTEE = '610902001003'; // 汉滨区 老城街道

/**
 * rehab-site and employment-referral on one bus: the site's gated readiness becomes an employment referral at
 * the matching provider, a relapse reported by the site pauses it, and registration's withdrawal of the
 * employment consent ends it.
 */
describe('employment referral across services', () => {
  const namespace = uniqueName('emp');
  const clock = new ManualClock(new Date('2026-03-02T02:00:00Z'));
  const cipher = new FieldCipher(keyringFromEnv());
  let db: TestDatabase;
  let rehab: ServiceUnderTest;
  let employment: ServiceUnderTest;
  let nc: NatsConnection;
  let admin = '';
  let siteKey = '';
  let providerKey = '';

  const site = (method: string, path: string, body?: unknown) =>
    httpCall(rehab.url, method, `/v1/sites/e2e-station/referrals${path}`, siteKey, body);
  const provider = (method: string, path: string, body?: unknown) =>
    httpCall(employment.url, method, `/v1/providers/e2e-provider/referrals${path}`, providerKey, body);
  const statusAtProvider = async (referralId: string) => {
    const [row] = await db.query<{ status: string }>(
      `SELECT status FROM "${employment.schema}".employment_referral WHERE referral_id = $1`,
      [referralId],
    );
    return row?.status;
  };
  const register = async (validConsents: { purpose: 'community-rehab' | 'employment' }[]) => {
    const referralId = randomUUID();
    await publishAs(
      nc,
      new Topology(namespace),
      SERVICES.registration,
      EVENTS.referralRegistered,
      {
        referralId,
        registrationId: randomUUID(),
        patientRef: randomUUID(),
        residenceDivisionCode: COMMITTEE,
        needs: ['day-care'],
        riskLevel: 1,
        colourGrade: 'green',
        registeredAt: clock.now().toISOString(),
        sealedContact: cipher.sealJson(
          { name: '张三', phone: '13800138000' },
          referralSealContext('siteContact', referralId),
        ),
        validConsents,
      },
      referralId,
    );
    await waitFor(async () => (await site('GET', `/${referralId}`)).status === 200, { message: 'assigned' });
    expect((await site('POST', `/${referralId}/accept`)).status).toBe(200);
    return referralId;
  };

  beforeAll(async () => {
    db = await testDatabase();
    admin = (await opsHeaders('ops-admin')).authorization.slice('Bearer '.length);
    const config = { outboxPollIntervalMs: 100 };
    rehab = await startService({
      register: (o) => RehabModule.register(o),
      database: REHAB_DB,
      namespace,
      clock,
      config,
    });
    employment = await startService({
      register: (o) => EmploymentModule.register(o, { sweepIntervalMs: 100 }),
      database: EMPLOYMENT_DB,
      namespace,
      clock,
      config,
    });
    nc = await connect({ servers: SHARED_NATS_URL });
    const created = await httpCall(rehab.url, 'POST', '/v1/admin/sites', admin, {
      id: 'e2e-station',
      name: 'e2e-station',
      level: 'community-station',
      areaCodes: [COMMITTEE],
      services: ['day-care'],
      capacity: 5,
    });
    siteKey = created.body.apiKey as string;
    const provided = await httpCall(employment.url, 'POST', '/v1/admin/providers', admin, {
      id: 'e2e-provider',
      name: '汉滨区辅助性就业服务站',
      areaCodes: ['610902'],
      programmes: ['supported-employment'],
      capacity: 5,
    });
    providerKey = provided.body.apiKey as string;
  });

  afterAll(async () => {
    await rehab?.close();
    await employment?.close();
    await nc?.close();
    await deleteNamespaceStreams(SHARED_NATS_URL, namespace);
    await db.dropSchemas(...[rehab, employment].filter(Boolean).map((s) => s.schema));
    await db.close();
  });

  it('should turn a gated readiness into a provider referral, pause it on relapse and end it on withdrawal', async () => {
    const referralId = await register([{ purpose: 'community-rehab' }, { purpose: 'employment' }]);
    const ready = await site('POST', `/${referralId}/employment-readiness`, {
      willing: true,
      programmes: ['supported-employment'],
    });
    expect(ready.status).toBe(200);
    await waitFor(async () => (await statusAtProvider(referralId)) === 'referred', { message: 'referred' });
    const offered = await provider('GET', `/${referralId}`);
    expect(offered.body).toMatchObject({
      status: 'referred',
      siteId: 'e2e-station',
      residenceDivisionCode: COMMITTEE,
    });
    expect(JSON.stringify(offered.body)).not.toMatch(/risk|colour|hospital|张三|13800138000/i);
    expect((await provider('POST', `/${referralId}/accept`)).status).toBe(200);

    expect((await site('POST', `/${referralId}/relapse`, { observedRiskLevel: 3 })).status).toBe(200);
    await waitFor(async () => (await statusAtProvider(referralId)) === 'paused', { message: 'paused' });
    const [pausedRow] = await db.query<Record<string, unknown>>(
      `SELECT * FROM "${employment.schema}".employment_referral WHERE referral_id = $1`,
      [referralId],
    );
    expect(Object.keys(pausedRow).filter((k) => /risk/.test(k))).toEqual([]);

    await publishAs(
      nc,
      new Topology(namespace),
      SERVICES.registration,
      EVENTS.referralConsentWithdrawn,
      {
        referralId,
        patientRef: randomUUID(),
        purpose: 'employment',
        withdrawnAt: clock.now().toISOString(),
      },
      referralId,
    );
    await waitFor(async () => (await statusAtProvider(referralId)) === 'ended', { message: 'ended' });
    expect((await provider('GET', `/${referralId}`)).status).toBe(404);
  });

  it('should let an employment consent given after registration pass the gate, and show the site each employment step', async () => {
    const referralId = await register([{ purpose: 'community-rehab' }]);
    const refused = await site('POST', `/${referralId}/employment-readiness`, { willing: true });
    expect([refused.status, refused.body.failedConditions[0].condition]).toEqual([422, 'employment-consent']);
    await publishAs(
      nc,
      new Topology(namespace),
      SERVICES.registration,
      EVENTS.referralConsentGranted,
      { referralId, purpose: 'employment', grantedAt: clock.now().toISOString() },
      referralId,
    );
    await waitFor(
      async () =>
        (await site('POST', `/${referralId}/employment-readiness`, { willing: true })).status === 200,
      { message: 'gate passes once the later consent arrived' },
    );
    await waitFor(async () => (await statusAtProvider(referralId)) === 'referred', { message: 'referred' });
    await waitFor(async () => (await site('GET', `/${referralId}`)).body.employment?.stage === 'referred', {
      message: 'site sees referred',
    });
    expect((await site('GET', `/${referralId}`)).body.employment).toMatchObject({
      stage: 'referred',
      providerName: '汉滨区辅助性就业服务站',
    });
    expect((await provider('POST', `/${referralId}/accept`, {})).status).toBe(200);
    expect(
      (
        await provider('POST', `/${referralId}/placement`, {
          placementType: 'supported',
          employerName: '安康市某食品厂',
          startDate: new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10),
        })
      ).status,
    ).toBe(200);
    await waitFor(async () => (await site('GET', `/${referralId}`)).body.employment?.stage === 'placed', {
      message: 'site sees placed',
    });
    const view = (await site('GET', `/${referralId}`)).body.employment;
    expect(view).toMatchObject({ stage: 'placed', placementType: 'supported' });
    expect(JSON.stringify(view)).not.toContain('安康市某食品厂');
  });

  it('should never reach a provider without an employment consent', async () => {
    const referralId = await register([{ purpose: 'community-rehab' }]);
    const refused = await site('POST', `/${referralId}/employment-readiness`, { willing: true });
    expect([refused.status, refused.body.failedConditions[0].condition]).toEqual([422, 'employment-consent']);
    const marker = await register([{ purpose: 'community-rehab' }, { purpose: 'employment' }]);
    expect((await site('POST', `/${marker}/employment-readiness`, { willing: true })).status).toBe(200);
    await waitFor(async () => (await statusAtProvider(marker)) === 'referred', {
      message: 'marker referred',
    });
    expect(await statusAtProvider(referralId)).toBeUndefined();
  });
});
