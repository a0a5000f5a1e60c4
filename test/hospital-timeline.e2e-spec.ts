import { randomInt, randomUUID } from 'node:crypto';
import { EVENTS, recipientSubject } from '@app/contracts';
import { Topology } from '@app/messaging';
import {
  closeServices,
  dischargeRequest,
  DEMO_RESIDENCE,
  expectValidFhir,
  opsHeaders,
  ServiceUnderTest,
  SHARED_NATS_URL,
  startService,
  subjectMessages,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
  webhookReceiver,
  WebhookReceiver,
} from '@app/testing';
import { verifyWebhook } from '@app/webhooks';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { HospitalService } from '@apps/hospital-intake/src/hospitals/hospital.service';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

/**
 * What a referring hospital sees, through the real services on one bus namespace (hospital-intake,
 * registration, rehab-site in-process): one referral from discharge to closure (declined by one site,
 * re-routed, accepted, in service, closed), seen by the list, the FHIR Task and the push (its NATS subject
 * and its signed webhook), each step exactly once and in order; a cancellation before acceptance frees the
 * place and reaches the site; one after acceptance answers 409 with the allowed actions.
 */
describe('the referring hospital’s timeline, list, FHIR Task, push and cancel', () => {
  const namespace = uniqueName('hvtl');
  const services = new Map<string, ServiceUnderTest>();
  let db: TestDatabase;
  let hook: WebhookReceiver;
  let secret = '';
  let ops: Record<string, string> = {};
  const hospitalId = `h-${randomUUID().slice(0, 8)}`;
  let hospitalKey = '';
  const firstSite = `site-a-${randomUUID().slice(0, 6)}`;
  const secondSite = `site-b-${randomUUID().slice(0, 6)}`;
  const siteKeys = new Map<string, string>();

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
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      body: text ? JSON.parse(text) : undefined,
    };
  }
  const hospital = (method: string, path: string, body?: unknown) =>
    call('hospital-intake', method, path, { 'x-api-key': hospitalKey }, body);
  const site = (siteId: string, referralId: string, action: string, body: unknown = {}) =>
    call(
      'rehab-site',
      'POST',
      `/v1/sites/${siteId}/referrals/${referralId}/${action}`,
      { 'x-api-key': siteKeys.get(siteId)! },
      body,
    );
  const atSite = async (referralId: string) =>
    (
      await db.query<{ site_id: string | null; status: string; holds_place: boolean }>(
        `SELECT site_id, status, holds_place FROM "${services.get('rehab-site')!.schema}".referral WHERE referral_id = $1`,
        [referralId],
      )
    )[0];
  const reserved = async (siteId: string) =>
    (await call('rehab-site', 'GET', `/v1/admin/sites/${siteId}`, ops)).body.reserved as number;
  const steps = (view: Json) => (view.timeline as Json[]).map((s) => s.step);
  const discharge = async () => {
    const sent = await hospital('POST', '/v1/discharges', dischargeRequest(randomInt(1_000_000_000)));
    expect(sent.status).toBe(201);
    return sent.body.referralId as string;
  };
  const assignedTo = (referralId: string) =>
    waitFor(async () => (await atSite(referralId))?.site_id ?? undefined, {
      timeoutMs: 60_000,
      message: `${referralId} assigned to a site`,
    });

  beforeAll(async () => {
    db = await testDatabase();
    hook = await webhookReceiver();
    const specs: [string, (o: Json) => Json, Json][] = [
      [
        'hospital-intake',
        (o) =>
          IntakeModule.register(o, { webhooks: { pollIntervalMs: 100, maxAttempts: 10, backoffMs: 100 } }),
        INTAKE_DB,
      ],
      ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
      ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
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
        id: hospitalId,
        name: '安康市中心医院',
        level: 'tertiary',
        countyDivisionCode: '610902',
        kind: 'general',
        onCall: { name: '总值班', phone: '0915-0000000' },
      }))!;
    const patched = await call('hospital-intake', 'PATCH', `/v1/admin/hospitals/${hospitalId}`, ops, {
      webhookUrl: hook.url,
    });
    expect(patched.status).toBe(200);
    secret = patched.body.webhookSecret as string;
    // Two sites serving the residence: the first (more free places) is offered every referral first.
    for (const [id, name, capacity] of [
      [firstSite, '城关镇康复站点', 10],
      [secondSite, '城关镇康复站点', 5],
    ] as const) {
      const created = await call('rehab-site', 'POST', '/v1/admin/sites', ops, {
        id,
        name,
        level: 'community-station',
        areaCodes: [DEMO_RESIDENCE],
        services: ['day-care', 'social-skills'],
        capacity,
      });
      expect(created.status).toBe(201);
      siteKeys.set(id, created.body.apiKey as string);
    }
  }, 240_000);

  afterAll(async () => {
    await hook?.close();
    await closeServices(services.values(), namespace, db);
  });

  it('should show one referral from discharge to closure by list, FHIR Task and push, each step once and in order', async () => {
    const referralId = await discharge();
    expect(await assignedTo(referralId)).toBe(firstSite);
    // The hospital sees the assignment before the site answers (the order of the steps is the order of the events).
    await waitFor(
      async () => steps((await hospital('GET', `/v1/referrals/${referralId}`)).body).includes('assigned'),
      {
        timeoutMs: 30_000,
        message: 'assigned on the timeline',
      },
    );
    expect((await site(firstSite, referralId, 'decline', { reasonCode: 'no-capacity' })).status).toBe(200);
    await waitFor(async () => (await atSite(referralId))?.site_id === secondSite, {
      timeoutMs: 30_000,
      message: 're-routed to the second site',
    });
    await waitFor(
      async () => steps((await hospital('GET', `/v1/referrals/${referralId}`)).body).length === 5,
      {
        timeoutMs: 30_000,
        message: 're-assignment on the timeline',
      },
    );
    expect((await site(secondSite, referralId, 'accept')).status).toBe(200);
    await waitFor(
      async () => (await hospital('GET', `/v1/referrals/${referralId}`)).body.stage === 'accepted',
      {
        timeoutMs: 30_000,
        message: 'accepted on the timeline',
      },
    );
    const session = await site(secondSite, referralId, 'sessions', {
      date: new Date().toISOString(),
      type: 'day-care',
      durationMinutes: 60,
      staff: '刘社工',
    });
    expect(session.status).toBe(200);
    await waitFor(
      async () => (await hospital('GET', `/v1/referrals/${referralId}`)).body.stage === 'in-service',
      {
        timeoutMs: 30_000,
        message: 'in service on the timeline',
      },
    );
    const closed = await site(secondSite, referralId, 'close', {
      outcome: 'recovered',
      followUp: { calledAt: new Date().toISOString(), reached: 'patient', note: '站点内部备注：家属陪同' },
    });
    expect(closed.status).toBe(200);

    const expected = [
      'discharged',
      'registered',
      'assigned',
      'declined',
      'assigned',
      'accepted',
      'in-service',
      'closed',
    ];
    // 1. The list (filtered to the closed referrals assigned to the second site) carries the whole timeline.
    const listed = await waitFor(
      async () =>
        (await hospital('GET', `/v1/referrals?status=closed&siteId=${secondSite}`)).body.items?.find(
          (r: Json) => r.referralId === referralId,
        ),
      { timeoutMs: 30_000, message: 'closed referral in the list' },
    );
    expect(steps(listed)).toEqual(expected);
    expect(listed.timeline.map((s: Json) => s.sequence)).toEqual(expected.map((_, i) => i + 1));
    expect(listed).toMatchObject({
      status: 'closed',
      stage: 'closed',
      outcome: { outcome: 'recovered' },
      assignedSite: {
        id: secondSite,
        name: '城关镇康复站点',
        countyCode: '610902',
        countyName: expect.any(String),
      },
      allowedActions: [],
    });
    expect(listed.timeline[2]).toMatchObject({
      step: 'assigned',
      siteId: firstSite,
      siteCountyCode: '610902',
    });
    expect(listed.timeline[3]).toMatchObject({ step: 'declined', siteId: firstSite, code: 'no-capacity' });
    expect(listed.timeline[7]).toMatchObject({ step: 'closed', siteId: secondSite, code: 'recovered' });
    // No site-internal notes reach the hospital.
    expect(JSON.stringify(listed)).not.toContain('站点内部备注');
    expect(JSON.stringify(listed)).not.toContain('刘社工');
    // Other filters leave it out.
    expect(
      (await hospital('GET', `/v1/referrals?stage=routing`)).body.items.some(
        (r: Json) => r.referralId === referralId,
      ),
    ).toBe(false);
    expect((await hospital('GET', `/v1/referrals?siteId=${firstSite}`)).body.items).toEqual([]);
    // Another hospital sees neither the referral nor it in its list.
    const otherId = `h-${randomUUID().slice(0, 8)}`;
    const otherKey = (await services
      .get('hospital-intake')!
      .app.get(HospitalService)
      .register({
        id: otherId,
        name: '汉滨区人民医院',
        level: 'secondary',
        countyDivisionCode: '610902',
        kind: 'general',
        onCall: { name: '总值班', phone: '0915-0000001' },
      }))!;
    const other = { 'x-api-key': otherKey };
    expect((await call('hospital-intake', 'GET', `/v1/referrals/${referralId}`, other)).status).toBe(404);
    expect(
      (await call('hospital-intake', 'GET', `/v1/referrals/${referralId}/fhir-task`, other)).status,
    ).toBe(404);
    expect((await call('hospital-intake', 'GET', '/v1/referrals', other)).body.items).toEqual([]);
    const foreignCancel = await call(
      'hospital-intake',
      'POST',
      `/v1/referrals/${referralId}/cancellation`,
      other,
      {
        reasonCode: 'entered-in-error',
      },
    );
    expect(foreignCancel.status).toBe(404);

    // 2. The FHIR Task: valid R4, status and businessStatus from the lifecycle, the history in order.
    const task = await hospital('GET', `/v1/referrals/${referralId}/fhir-task`);
    expect(task.status).toBe(200);
    expect(task.contentType).toContain('application/fhir+json');
    expectValidFhir(task.body, 'the referral as a Task');
    expect(task.body).toMatchObject({
      resourceType: 'Task',
      status: 'completed',
      intent: 'order',
      businessStatus: { coding: [{ code: 'closed' }] },
      focus: { type: 'ServiceRequest', identifier: { value: referralId } },
      owner: { identifier: { value: secondSite } },
    });
    expect(task.body.output.map((o: Json) => o.type.coding[0].code)).toEqual(expected);

    // 3. Push: the hospital's own NATS subject, each step once, in order.
    const topology = new Topology(namespace);
    const subject = topology.subject(recipientSubject(EVENTS.hospitalReferralStep, hospitalId));
    const pushed = await waitFor(
      async () => {
        const bodies = (await subjectMessages(
          SHARED_NATS_URL,
          topology.streamName('HOSPITAL'),
          subject,
        )) as Json[];
        const mine = bodies.map((b) => b.data).filter((d) => d.referralId === referralId);
        return mine.length >= expected.length ? mine : undefined;
      },
      { timeoutMs: 30_000, message: 'every step on the hospital subject' },
    );
    expect(pushed.map((d: Json) => [d.sequence, d.step])).toEqual(expected.map((s, i) => [i + 1, s]));
    // 4. Push: the signed webhook, each step once, in order.
    const hooked = await waitFor(
      () => {
        const mine = hook.received.filter((r) => JSON.parse(r.body).data?.referralId === referralId);
        return mine.length >= expected.length ? mine : undefined;
      },
      { timeoutMs: 30_000, message: 'every step on the webhook' },
    );
    for (const r of hooked) {
      expect(verifyWebhook(r.body, secret, r.headers)).toBe(true);
    }
    const hookedSteps = hooked.map((r) => JSON.parse(r.body));
    expect(hookedSteps.map((b) => b.type)).toEqual(expected.map(() => EVENTS.hospitalReferralStep.type));
    expect(hookedSteps.map((b) => [b.data.sequence, b.data.step])).toEqual(
      expected.map((s, i) => [i + 1, s]),
    );
  });

  it('should cancel before acceptance: the place is freed, the site told; after acceptance 409 with the allowed actions', async () => {
    const before = await reserved(firstSite);
    const referralId = await discharge();
    expect(await assignedTo(referralId)).toBe(firstSite);
    await waitFor(async () => (await reserved(firstSite)) === before + 1, { message: 'place reserved' });
    await waitFor(
      async () =>
        (await hospital('GET', `/v1/referrals/${referralId}`)).body.allowedActions?.includes('cancel'),
      { timeoutMs: 30_000, message: 'cancel offered' },
    );
    // A bad reason is a 400 and changes nothing.
    const bad = await hospital('POST', `/v1/referrals/${referralId}/cancellation`, { reasonCode: 'bored' });
    expect(bad.status).toBe(400);
    expect((await hospital('GET', `/v1/referrals/${referralId}`)).body.status).not.toBe('cancelled');

    const cancelled = await hospital('POST', `/v1/referrals/${referralId}/cancellation`, {
      reasonCode: 'patient-readmitted',
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({
      status: 'cancelled',
      stage: 'cancelled',
      cancellation: { reasonCode: 'patient-readmitted' },
      allowedActions: [],
    });
    expect(steps(cancelled.body).slice(-1)).toEqual(['cancelled']);
    // rehab-site: the assignment ends and the place is freed; the site is told on its channels and loses access.
    await waitFor(async () => (await atSite(referralId))?.status === 'cancelled', {
      timeoutMs: 30_000,
      message: 'cancelled at rehab-site',
    });
    expect(await reserved(firstSite)).toBe(before);
    const topology = new Topology(namespace);
    const revoked = await waitFor(
      async () =>
        (
          (await subjectMessages(
            SHARED_NATS_URL,
            topology.streamName('SITE'),
            topology.subject(recipientSubject(EVENTS.siteReferralRevoked, firstSite)),
          )) as Json[]
        ).find((b) => b.data.referralId === referralId),
      { timeoutMs: 30_000, message: 'the site told' },
    );
    expect(revoked.data).toMatchObject({ siteId: firstSite, reason: 'cancelled' });
    expect(
      (
        await call('rehab-site', 'GET', `/v1/sites/${firstSite}/referrals/${referralId}`, {
          'x-api-key': siteKeys.get(firstSite)!,
        })
      ).status,
    ).toBe(404);
    // registration: the application ended.
    await waitFor(
      async () =>
        (
          await db.query<{ status: string }>(
            `SELECT status FROM "${services.get('registration')!.schema}".application WHERE id = $1`,
            [referralId],
          )
        )[0]?.status === 'cancelled',
      { timeoutMs: 30_000, message: 'application cancelled at registration' },
    );
    // A second cancellation is refused the same way as any after the referral ended.
    const again = await hospital('POST', `/v1/referrals/${referralId}/cancellation`, {
      reasonCode: 'entered-in-error',
    });
    expect(again.status).toBe(409);

    // After acceptance: 409 problem+json naming what the hospital may still do (nothing), and nothing changes.
    const acceptedId = await discharge();
    const holder = await assignedTo(acceptedId);
    expect((await site(holder, acceptedId, 'accept')).status).toBe(200);
    await waitFor(
      async () => (await hospital('GET', `/v1/referrals/${acceptedId}`)).body.stage === 'accepted',
      {
        timeoutMs: 30_000,
        message: 'accepted at the hospital',
      },
    );
    const late = await hospital('POST', `/v1/referrals/${acceptedId}/cancellation`, {
      reasonCode: 'entered-in-error',
    });
    expect(late.status).toBe(409);
    expect(late.contentType).toContain('application/problem+json');
    expect(late.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', stage: 'accepted', allowedActions: [] });
    expect((await atSite(acceptedId)).status).toBe('accepted');
    expect((await hospital('GET', `/v1/referrals/${acceptedId}`)).body.status).toBe('registered');
  });
});
