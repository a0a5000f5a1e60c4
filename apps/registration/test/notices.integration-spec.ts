import { randomBytes } from 'node:crypto';
import { EVENTS, GuardianDto, PatientIdentityDto, ReferralAssignedData } from '@app/contracts';
import { waitFor } from '@app/testing';
import { NoticeDispatcher } from '../src/notices/notice-dispatcher.service';
import { assertNoClinicalContent } from '../src/notices/notice-templates';
import { signDeliveryReceipt } from '../src/notices/sms-gateway-notice-sender';
import { FakeSmsGateway } from './fake-sms-gateway';
import {
  applicationRow,
  consent,
  http,
  person,
  publishAssessed,
  publishEvent,
  RegistrationHarness,
  startRegistrationHarness,
} from './harness';

type NoticeRow = {
  id: string;
  referral_id: string | null;
  template_code: string;
  recipient_role: string;
  status: string;
  attempts: number;
  failure_reason: string | null;
  provider_message_id: string | null;
  recipient_masked: string;
  has_sealed_recipient: boolean;
  next_attempt_at: Date;
  delivered_at: Date | null;
};

const HOUR_MS = 3_600_000;
const CALLBACK_SECRET = randomBytes(32).toString('hex');

const phone = () => `13${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
const guardian = (): GuardianDto => ({
  name: `测试监护人${randomBytes(3).toString('hex')}`,
  relationship: 'parent',
  phone: phone(),
});
/** A patient with their own phone and a guardian's. */
const withGuardian = (): PatientIdentityDto => person({ phone: phone(), guardian: guardian() });

async function noticesOf(world: RegistrationHarness, registrationId: string): Promise<NoticeRow[]> {
  return world.db.query<NoticeRow>(
    `SELECT id, referral_id, template_code, recipient_role, status, attempts, failure_reason, provider_message_id,
            recipient_masked, recipient_sealed IS NOT NULL AS has_sealed_recipient, next_attempt_at, delivered_at
       FROM "${world.service.schema}".notice WHERE registration_id = $1
      ORDER BY created_at, template_code, recipient_role`,
    [registrationId],
  );
}

/** Files a hospital referral and waits until registration has taken it; its registration id. */
async function filed(world: RegistrationHarness, patient: PatientIdentityDto, consented: boolean) {
  const referralId = await publishAssessed(world, patient, consented ? [consent()] : []);
  const row = await waitFor(() => applicationRow(world, referralId), { timeoutMs: 60_000 });
  return { referralId, registrationId: row.registration_id };
}

const templatesOf = (rows: NoticeRow[]) => rows.map((n) => `${n.template_code}/${n.recipient_role}`).sort();

describe('notices to patient and guardian (SMS gateway)', () => {
  let world: RegistrationHarness;
  let gateway: FakeSmsGateway;
  let dispatcher: NoticeDispatcher;

  beforeAll(async () => {
    gateway = await new FakeSmsGateway(randomBytes(16).toString('hex')).start();
    world = await startRegistrationHarness({
      notices: {
        sender: 'sms-gateway',
        smsGateway: {
          url: gateway.url,
          apiKey: gateway.apiKey,
          callbackSecret: CALLBACK_SECRET,
          timeoutMs: 2_000,
        },
        maxAttempts: 3,
        retryBaseMs: 1_000,
        dispatchIntervalMs: 0,
        leaseMs: 60_000,
      },
    });
    dispatcher = world.service.app.get(NoticeDispatcher);
  });

  afterAll(async () => {
    await world?.close();
    await gateway?.stop();
  });

  const receipt = (
    body: { messageId: string; status: string; reason?: string; at: string },
    signature?: string,
  ) =>
    fetch(`${world.service.url}/v1/notices/delivery-receipts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-gateway-signature': signature ?? signDeliveryReceipt(body, CALLBACK_SECRET),
      },
      body: JSON.stringify(body),
    });

  it('each notice type is sent once per trigger: redelivered events, re-run sweeps and repeated requests do not double', async () => {
    gateway.mode = 'ok';
    // P: no consent yet (reminders), then withdraws. Q: consents, is assigned a site.
    const p = withGuardian();
    const q = withGuardian();
    const pFiled = await filed(world, p, false);
    const qFiled = await filed(world, q, true);
    // The same assessment again (a new envelope of the same referral): no second outcome notice.
    await publishAssessed(world, p, [], { referralId: pFiled.referralId });
    await waitFor(async () => (await noticesOf(world, pFiled.registrationId)).length === 2, {
      timeoutMs: 60_000,
    });

    const assigned: ReferralAssignedData = {
      referralId: qFiled.referralId,
      siteId: 'site-laocheng',
      siteName: '老城街道社区康复站',
      siteAddress: '汉滨区老城街道建设路12号',
      sitePhone: '0915-3212345',
      hop: 1,
      assignedAt: new Date().toISOString(),
      answerDueAt: new Date(Date.now() + 48 * HOUR_MS).toISOString(),
      needsManualPlacement: false,
    };
    // Published twice, as a producer retrying after a crash would (two envelopes of one assignment).
    await publishEvent(world, EVENTS.referralAssigned, assigned, qFiled.referralId);
    await publishEvent(world, EVENTS.referralAssigned, assigned, qFiled.referralId);
    await waitFor(async () => (await noticesOf(world, qFiled.registrationId)).length >= 4, {
      timeoutMs: 60_000,
    });

    // Two sweeps at the same moment after the reminder interval: one reminder per recipient.
    world.clock.advance(73 * HOUR_MS);
    await world.sweeper.sweep();
    await world.sweeper.sweep();

    const withdraw = () =>
      http(world, 'POST', `/registrations/${pFiled.registrationId}/consent-withdrawals`, world.keys.centre, {
        purpose: 'community-rehab',
        withdrawnBy: 'guardian',
      });
    expect((await withdraw()).status).toBe(200);
    expect((await withdraw()).status).toBe(200);

    // Two dispatch passes: each notice reaches the gateway once.
    await dispatcher.dispatch();
    await dispatcher.dispatch();
    const pNotices = await noticesOf(world, pFiled.registrationId);
    const qNotices = await noticesOf(world, qFiled.registrationId);
    expect(templatesOf(pNotices)).toEqual([
      'assessment-outcome/guardian',
      'assessment-outcome/patient',
      'consent-reminder/guardian',
      'consent-reminder/patient',
      'withdrawal-confirmation/guardian',
      'withdrawal-confirmation/patient',
    ]);
    expect(templatesOf(qNotices)).toEqual([
      'assessment-outcome/guardian',
      'assessment-outcome/patient',
      'site-assigned/guardian',
      'site-assigned/patient',
    ]);
    const all = [...pNotices, ...qNotices];
    expect(all.every((n) => n.status === 'sent' && n.attempts === 1 && !n.has_sealed_recipient)).toBe(true);
    const sms = all.map((n) => gateway.messages.get(n.id)!);
    expect(sms.every(Boolean)).toBe(true);
    expect(new Set(sms.map((m) => m.messageId)).size).toBe(10);
    expect(all.map((n) => n.provider_message_id).sort()).toEqual(sms.map((m) => m.messageId).sort());

    // The right phones, texts without diagnosis or the person's identity, the site's contact in the site notice.
    const byId = new Map(all.map((n) => [n.id, n]));
    for (const m of sms) {
      const n = byId.get(m.clientReference)!;
      const who = n.referral_id === qFiled.referralId || qNotices.includes(n) ? q : p;
      expect(m.to).toBe(n.recipient_role === 'patient' ? who.phone : who.guardian!.phone);
      expect(n.recipient_masked).toBe(`${m.to.slice(0, 3)}****${m.to.slice(-4)}`);
      expect(() => assertNoClinicalContent(m.text)).not.toThrow();
      for (const pii of [who.name, who.idNumber, who.address!, who.guardian!.name])
        expect(m.text).not.toContain(pii);
    }
    const siteText = sms.find((m) => m.templateCode === 'site-assigned')!.text;
    expect(siteText).toContain('老城街道社区康复站');
    expect(siteText).toContain('汉滨区老城街道建设路12号');
    expect(siteText).toContain('0915-3212345');
  });

  it('delivery status recorded: a signed receipt marks the notice delivered (or failed), an unsigned one is refused', async () => {
    gateway.mode = 'ok';
    const p = withGuardian();
    const { registrationId } = await filed(world, p, true);
    await waitFor(async () => (await noticesOf(world, registrationId)).length === 2, { timeoutMs: 60_000 });
    await dispatcher.dispatch();
    const [first, second] = await noticesOf(world, registrationId);
    const at = new Date().toISOString();
    const delivered = { messageId: first.provider_message_id!, status: 'delivered', at };

    expect((await receipt(delivered, 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect(
      (await receipt({ ...delivered, status: 'failed' }, signDeliveryReceipt(delivered, CALLBACK_SECRET)))
        .status,
    ).toBe(401);
    expect((await noticesOf(world, registrationId))[0].status).toBe('sent');

    expect((await receipt(delivered)).status).toBe(204);
    expect((await receipt(delivered)).status).toBe(204); // repeated: no change
    expect(
      (
        await receipt({
          messageId: second.provider_message_id!,
          status: 'failed',
          reason: 'UNDELIVERABLE',
          at,
        })
      ).status,
    ).toBe(204);
    expect((await receipt({ messageId: 'gw-unknown', status: 'delivered', at })).status).toBe(404);
    const [d, f] = await noticesOf(world, registrationId);
    expect(d).toMatchObject({ status: 'delivered', delivered_at: new Date(at) });
    expect(f).toMatchObject({ status: 'failed', failure_reason: 'UNDELIVERABLE' });

    // The registration office's list: statuses and masked numbers, nothing that identifies the person.
    const listed = await http(world, 'GET', `/v1/registrations/${registrationId}/notices`, world.keys.centre);
    expect(listed.status).toBe(200);
    const views = listed.body as unknown as Record<string, unknown>[];
    expect(views.map((v) => [v.templateCode, v.recipientRole, v.status])).toEqual([
      ['assessment-outcome', 'guardian', 'delivered'],
      ['assessment-outcome', 'patient', 'failed'],
    ]);
    const json = JSON.stringify(views);
    for (const pii of [p.name, p.idNumber, p.phone!, p.address!, p.guardian!.name, p.guardian!.phone!]) {
      expect(json).not.toContain(pii);
    }
    expect(json).toContain(`${p.phone!.slice(0, 3)}****${p.phone!.slice(-4)}`);
    expect(
      (await http(world, 'GET', `/v1/registrations/${registrationId}/notices`, world.keys.otherCentre))
        .status,
    ).toBe(404);
    expect(
      (await http(world, 'GET', `/v1/registrations/${registrationId}/notices?limit=500`, world.keys.centre))
        .status,
    ).toBe(400);
  });

  it('a signed receipt whose time a Date cannot read is refused (400) and changes nothing', async () => {
    // `at` was checked as ISO 8601 only: a week date became Invalid Date on its way to Postgres (PG_INVALID_DATE).
    gateway.mode = 'ok';
    const { registrationId } = await filed(world, withGuardian(), true);
    await waitFor(async () => (await noticesOf(world, registrationId)).length === 2, { timeoutMs: 60_000 });
    await dispatcher.dispatch();
    const [sent] = await noticesOf(world, registrationId);
    for (const at of ['2026-W49-3', '2026-340 10:00']) {
      const answer = await receipt({ messageId: sent.provider_message_id!, status: 'delivered', at });
      expect({ at, status: answer.status }).toEqual({ at, status: 400 });
    }
    expect((await noticesOf(world, registrationId))[0]).toMatchObject({ status: 'sent', delivered_at: null });
  });

  it('a failing gateway is retried with backoff, then the notice is marked failed with its reason (never lost)', async () => {
    const p = person({ phone: phone() });
    const { registrationId } = await filed(world, p, true);
    await waitFor(async () => (await noticesOf(world, registrationId)).length === 1, { timeoutMs: 60_000 });
    gateway.mode = 'fail';

    expect(await dispatcher.dispatch()).toEqual({ sent: 0, retried: 1, failed: 0 });
    let [n] = await noticesOf(world, registrationId);
    expect(n).toMatchObject({ status: 'queued', attempts: 1, failure_reason: 'gateway 503' });
    expect(n.next_attempt_at.getTime()).toBe(world.clock.now().getTime() + 1_000);
    // Not due yet: nothing is sent before the backoff has passed.
    expect(await dispatcher.dispatch()).toEqual({ sent: 0, retried: 0, failed: 0 });

    world.clock.advance(1_000);
    expect(await dispatcher.dispatch()).toEqual({ sent: 0, retried: 1, failed: 0 });
    [n] = await noticesOf(world, registrationId);
    expect(n.next_attempt_at.getTime()).toBe(world.clock.now().getTime() + 2_000); // doubled
    world.clock.advance(2_000);
    expect(await dispatcher.dispatch()).toEqual({ sent: 0, retried: 0, failed: 1 });
    [n] = await noticesOf(world, registrationId);
    expect(n).toMatchObject({
      status: 'failed',
      attempts: 3,
      failure_reason: 'gateway 503 (after 3 attempts)',
    });
    expect(n.has_sealed_recipient).toBe(false);
    expect(gateway.messages.has(n.id)).toBe(false);

    // A failed notice stays failed (kept with its reason): later passes, the gateway back, do not resend it.
    gateway.mode = 'ok';
    world.clock.advance(HOUR_MS);
    expect(await dispatcher.dispatch()).toEqual({ sent: 0, retried: 0, failed: 0 });
  });

  it('an answer lost after the gateway took the message: sent again under the same id, one SMS, recorded once', async () => {
    const p = person({ phone: phone() });
    const { registrationId } = await filed(world, p, true);
    await waitFor(async () => (await noticesOf(world, registrationId)).length === 1, { timeoutMs: 60_000 });
    gateway.mode = 'ack-lost';
    expect(await dispatcher.dispatch()).toEqual({ sent: 0, retried: 1, failed: 0 });
    const [n] = await noticesOf(world, registrationId);
    expect(gateway.messages.has(n.id)).toBe(true);
    gateway.mode = 'ok';
    world.clock.advance(1_000);
    expect(await dispatcher.dispatch()).toEqual({ sent: 1, retried: 0, failed: 0 });
    const [after] = await noticesOf(world, registrationId);
    expect(after).toMatchObject({ status: 'sent', attempts: 2 });
    expect(after.provider_message_id).toBe(gateway.messages.get(n.id)!.messageId);
    expect([...gateway.messages.values()].filter((m) => m.to === p.phone)).toHaveLength(1);
  });
});
