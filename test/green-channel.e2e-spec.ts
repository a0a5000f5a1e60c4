import { randomInt } from 'node:crypto';
import { EVENTS, recipientSubject, SERVICES } from '@app/contracts';
import { demoApiKey } from '@app/auth';
import { Topology } from '@app/messaging';
import {
  AppFleet,
  countSubjectMessages,
  dischargeRequest,
  opsHeaders,
  SHARED_NATS_URL,
  testDatabase,
  TestDatabase,
  waitFor,
  webhookReceiver,
  WebhookReceiver,
} from '@app/testing';
import { verifyWebhook } from '@app/webhooks';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads arbitrary JSON bodies
type Json = any;

const HOSPITAL = 'ak-mental-health-centre'; // psychiatric: takes its own patients back

/**
 * The green channel across the built apps as processes (hospital-intake, registration, rehab-site on one bus
 * namespace): a site reports a relapse → the discharging psychiatric hospital is told on its worklist, its own
 * NATS subject and a signed webhook → it acknowledges → readmits (the site holds the place) → the patient is
 * discharged again → back at the same site on the held place. Every event of the cycle exists exactly once.
 */
describe('green channel end to end (three processes)', () => {
  let fleet: AppFleet;
  let db: TestDatabase;
  let hook: WebhookReceiver;
  let secret: string;
  let admin: { authorization: string };

  const call = async (app: string, method: string, path: string, key?: string, body?: unknown) => {
    const response = await fetch(`${fleet.app(app as never).url}${path}`, {
      method,
      headers: {
        ...(key ? { 'x-api-key': key } : admin),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const schemaOf = (app: string) => `"${fleet.app(app as never).schema}"`;
  const atSite = async (referralId: string) =>
    (
      await db.query<{ site_id: string | null; status: string; holds_place: boolean }>(
        `SELECT site_id, status, holds_place FROM ${schemaOf(SERVICES.rehabSite)}.referral WHERE referral_id = $1`,
        [referralId],
      )
    )[0];
  /** How many rows of an app's outbox carry this subject for these referrals. */
  const published = (app: string, subject: string, referralIds: string[]) =>
    db.count(`SELECT count(*) FROM ${schemaOf(app)}.outbox WHERE subject = $1 AND ordering_key = ANY($2)`, [
      subject,
      referralIds,
    ]);

  beforeAll(async () => {
    db = await testDatabase();
    admin = await opsHeaders('ops-admin');
    fleet = await AppFleet.start({
      apps: [SERVICES.hospitalIntake, SERVICES.registration, SERVICES.rehabSite],
      env: { GREEN_SWEEP_INTERVAL_MS: '200', WEBHOOK_POLL_INTERVAL_MS: '100', WEBHOOK_BACKOFF_MS: '100' },
    });
    hook = await webhookReceiver();
    const patched = await call(
      SERVICES.hospitalIntake,
      'PATCH',
      `/v1/admin/hospitals/${HOSPITAL}`,
      undefined,
      {
        webhookUrl: hook.url,
      },
    );
    expect(patched.status).toBe(200);
    secret = patched.body.webhookSecret;
  }, 240_000);

  afterAll(async () => {
    await fleet?.dispose();
    await hook?.close();
    await db?.close();
  });

  it('should go relapse → notified on three channels → acknowledged → readmitted → re-discharged → same site, each event once', async () => {
    const hospitalKey = fleet.hospitalKey(HOSPITAL);
    const n = randomInt(1_000_000);
    const first = await call(
      SERVICES.hospitalIntake,
      'POST',
      '/v1/discharges',
      hospitalKey,
      dischargeRequest(n),
    );
    expect(first.status).toBe(201);
    const referralId: string = first.body.referralId;
    const siteId = await waitFor(async () => (await atSite(referralId))?.site_id, {
      timeoutMs: 60_000,
      message: 'assigned to a site',
    });
    const siteKey = demoApiKey('site', siteId);
    const site = (action: string, body: unknown = {}) =>
      call(
        SERVICES.rehabSite,
        'POST',
        `/v1/sites/${siteId}/referrals/${referralId}/${action}`,
        siteKey,
        body,
      );
    expect((await site('accept')).status).toBe(200);
    expect((await site('relapse', { observedRiskLevel: 3 })).body.status).toBe('green-channel');

    // 1. Worklist.
    const offered = await waitFor(
      async () =>
        (
          await call(SERVICES.hospitalIntake, 'GET', '/v1/green-cases?status=offered', hospitalKey)
        ).body.items?.find((c: Json) => c.referralId === referralId),
      { timeoutMs: 30_000, message: 'case on the hospital worklist' },
    );
    expect(offered).toMatchObject({ route: 'discharging-hospital', riskLevel: 3, jointManagement: true });
    // 2. The hospital's own NATS subject.
    const topology = new Topology(fleet.namespace);
    await waitFor(
      async () =>
        (await countSubjectMessages(
          SHARED_NATS_URL,
          topology.streamName('HOSPITAL'),
          topology.subject(recipientSubject(EVENTS.hospitalGreenOffered, HOSPITAL)),
        )) >= 1,
      { message: 'notice on the hospital subject' },
    );
    // 3. Signed webhook.
    const delivered = await waitFor(() => hook.received.find((r) => r.body.includes(offered.caseId)), {
      message: 'webhook to the hospital',
    });
    expect(verifyWebhook(delivered.body, secret, delivered.headers)).toBe(true);

    const caseUrl = `/v1/green-cases/${offered.caseId}`;
    // Another hospital and another site can neither see nor act on the case or the referral: 404.
    const otherHospital = fleet.hospitalIds().find((id) => id !== HOSPITAL)!;
    const otherKey = fleet.hospitalKey(otherHospital);
    expect((await call(SERVICES.hospitalIntake, 'GET', caseUrl, otherKey)).status).toBe(404);
    expect((await call(SERVICES.hospitalIntake, 'POST', `${caseUrl}/admit`, otherKey)).status).toBe(404);
    const otherSite = 'cc-610902' === siteId ? 'cc-610921' : 'cc-610902';
    const foreign = `/v1/sites/${otherSite}/referrals/${referralId}`;
    expect((await call(SERVICES.rehabSite, 'GET', foreign, demoApiKey('site', otherSite))).status).toBe(404);
    expect(
      (await call(SERVICES.rehabSite, 'POST', `${foreign}/accept`, demoApiKey('site', otherSite))).status,
    ).toBe(404);
    const ack = await call(SERVICES.hospitalIntake, 'POST', `${caseUrl}/acknowledge`, hospitalKey, {
      acknowledgedBy: '精神科总值班',
    });
    expect(ack.body.status).toBe('acknowledged');
    expect((await call(SERVICES.hospitalIntake, 'POST', `${caseUrl}/admit`, hospitalKey)).body.status).toBe(
      'readmitted',
    );
    await waitFor(async () => (await atSite(referralId))?.status === 'on-hold', {
      message: 'on hold at the site',
    });
    expect((await atSite(referralId)).holds_place).toBe(true);

    // Discharged again: the same patient, a new encounter.
    const again = await call(
      SERVICES.hospitalIntake,
      'POST',
      '/v1/discharges',
      hospitalKey,
      dischargeRequest(n),
    );
    expect(again.status).toBe(201);
    const nextId: string = again.body.referralId;
    const back = await waitFor(
      async () => {
        const row = await atSite(nextId);
        return row?.site_id ? row : undefined;
      },
      { timeoutMs: 60_000, message: 'the new referral at a site' },
    );
    expect(back).toMatchObject({ site_id: siteId, status: 'assigned', holds_place: true });
    expect((await atSite(referralId)).status).toBe('superseded');

    const ids = [referralId];
    const once = {
      [SERVICES.rehabSite]: [EVENTS.greenRelapseReported.subject],
      [SERVICES.hospitalIntake]: [
        EVENTS.greenNotified.subject,
        recipientSubject(EVENTS.hospitalGreenOffered, HOSPITAL),
        EVENTS.greenAcknowledged.subject,
        EVENTS.greenReadmitted.subject,
      ],
    };
    for (const [app, subjects] of Object.entries(once)) {
      for (const subject of subjects)
        expect({ subject, n: await published(app, subject, ids) }).toEqual({ subject, n: 1 });
    }
    // Each published once to JetStream and handled once by each consumer.
    for (const subject of [EVENTS.greenRelapseReported.subject, EVENTS.greenReadmitted.subject]) {
      expect(
        await countSubjectMessages(SHARED_NATS_URL, topology.streamName('GREEN'), topology.subject(subject)),
      ).toBe(1);
    }
    const handled = (app: string, type: string) =>
      db.count(`SELECT count(*) FROM ${schemaOf(app)}.inbox WHERE event_type = $1`, [type]);
    expect(await handled(SERVICES.rehabSite, EVENTS.greenReadmitted.type)).toBe(1);
    expect(await handled(SERVICES.hospitalIntake, EVENTS.greenRelapseReported.type)).toBe(1);
    expect(await handled(SERVICES.registration, EVENTS.greenRelapseReported.type)).toBe(1);
    expect(await published(SERVICES.rehabSite, EVENTS.referralAssigned.subject, [nextId])).toBe(1);
  });
});
