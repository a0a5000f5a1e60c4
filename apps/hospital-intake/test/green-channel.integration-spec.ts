import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { EVENTS, GreenRelapseReportedData, recipientSubject } from '@app/contracts';
import { ManualClock } from '@app/core';
import { buildEnvelope, Topology } from '@app/messaging';
import {
  countSubjectMessages,
  opsHeaders,
  SHARED_NATS_URL,
  waitFor,
  webhookReceiver,
  WebhookReceiver,
} from '@app/testing';
import { verifyWebhook } from '@app/webhooks';
import { GreenLadderService } from '../src/green-cases/green-ladder.service';
import { discharge } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
type Json = any;

const HANYIN = '610921'; // 汉阴县: its designated hospitals, then 安康市 (610900)

describe('hospital-intake: the green channel (ladder, timers, answers, notices)', () => {
  // Discharges are checked against the clock: start it at the current minute, then move it by hand.
  const t0 = Math.floor(Date.now() / 60_000) * 60_000;
  const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
  const clock = new ManualClock(new Date(t0));
  let w: HospitalIntakeHarness;
  let nc: NatsConnection;
  let topology: Topology;
  let admin: { authorization: string };
  let hookA: WebhookReceiver;
  let secretA: string;
  const keys: Record<string, string> = {};
  const ids = { county1: '', county2: '', prefecture: '' };

  const http = async (method: string, path: string, key?: string, body?: unknown) => {
    const response = await fetch(`${w.service.url}${path}`, {
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

  const relapse = async (data: Partial<GreenRelapseReportedData> & { referralId: string }) => {
    const full = { siteId: 'site-1', observedRiskLevel: 2, reportedAt: clock.now().toISOString(), ...data };
    const envelope = buildEnvelope(EVENTS.greenRelapseReported, 'rehab-site', full, {
      subject: data.referralId,
    });
    await jetstream(nc).publish(
      topology.subject(EVENTS.greenRelapseReported.subject),
      JSON.stringify(envelope),
      {
        msgID: envelope.id,
      },
    );
    return envelope.id;
  };

  /** The events hospital-intake wrote for a referral (outbox, in order): subject and data. */
  const events = async (referralId: string) =>
    (
      await w.db.query<{ subject: string; payload: string }>(
        `SELECT subject, payload FROM "${w.service.schema}".outbox WHERE ordering_key = $1 ORDER BY seq`,
        [referralId],
      )
    ).map((r) => ({ subject: r.subject, data: (JSON.parse(r.payload) as { data: Json }).data }));

  const holder = async (caseId: string, key: string) =>
    (await http('GET', `/v1/green-cases/${caseId}`, key)).body;

  const register = async (id: string, county: string, webhookUrl?: string) => {
    const created = await http('POST', '/v1/admin/hospitals', undefined, {
      id,
      name: `测试精神专科医院 ${id}`,
      level: 'secondary',
      countyDivisionCode: county,
      kind: 'psychiatric',
      onCall: { name: '总值班', phone: '0915-5200000' },
    });
    expect(created.status).toBe(201);
    keys[id] = created.body.apiKey;
    if (webhookUrl) {
      const updated = await http('PATCH', `/v1/admin/hospitals/${id}`, undefined, { webhookUrl });
      expect(updated.status).toBe(200);
      return updated.body.webhookSecret as string;
    }
    return undefined;
  };

  beforeAll(async () => {
    admin = await opsHeaders('ops-admin');
    w = await startHospitalIntakeHarness(
      {
        green: {
          ackWindowMinutes: 30,
          ackWindowHighRiskMinutes: 10,
          highRiskFromLevel: 4,
          jointManagementFromLevel: 3,
          sweepIntervalMs: 50,
          pageLimitMax: 100,
        },
        webhooks: { pollIntervalMs: 50, maxAttempts: 3, backoffMs: 50 },
      },
      clock,
    );
    topology = new Topology(w.service.namespace);
    nc = await connect({ servers: SHARED_NATS_URL });
    hookA = await webhookReceiver();
    secretA = (
      await http('PATCH', `/v1/admin/hospitals/${w.hospitalA}`, undefined, { webhookUrl: hookA.url })
    ).body.webhookSecret;
    const suffix = randomUUID().slice(0, 6);
    ids.county1 = `hy1-${suffix}`;
    ids.county2 = `hy2-${suffix}`;
    ids.prefecture = `ak-${suffix}`;
    // County 1's webhook is down (nothing listens on port 9 of localhost).
    await register(ids.county1, HANYIN, 'http://127.0.0.1:9/down');
    await register(ids.county2, HANYIN);
    await register(ids.prefecture, '610902');
    expect(
      (
        await http('PUT', `/v1/admin/green-designations/${HANYIN}`, undefined, {
          hospitalIds: [ids.county1, ids.county2],
        })
      ).status,
    ).toBe(200);
    expect(
      (await http('PUT', '/v1/admin/green-designations/610900', undefined, { hospitalIds: [ids.prefecture] }))
        .status,
    ).toBe(200);
  });

  afterAll(async () => {
    await nc?.close();
    await hookA?.close();
    await w?.close();
  });

  it('should offer a relapse to the discharging psychiatric hospital on all three channels, then take its answers', async () => {
    const answer = await w.send('/v1/discharges', discharge());
    expect(answer.status).toBe(201);
    const referralId = (answer.body as Json).referralId as string;
    const caseId = await relapse({ referralId, observedRiskLevel: 2 });

    // API worklist.
    const page = await waitFor(async () => {
      const list = await http('GET', '/v1/green-cases?status=offered', w.keyA);
      return list.body.items?.find((c: Json) => c.caseId === caseId) ? list.body : undefined;
    });
    const offered = page.items.find((c: Json) => c.caseId === caseId);
    expect(offered).toMatchObject({
      referralId,
      status: 'offered',
      route: 'discharging-hospital',
      step: 1,
      riskLevel: 2,
      jointManagement: false,
      notifiedAt: at(0),
      answerDueAt: at(30),
      allowedActions: ['acknowledge', 'admit', 'decline'],
    });
    // Per-hospital NATS subject, readable by hospital A only.
    await waitFor(
      async () =>
        (await countSubjectMessages(
          SHARED_NATS_URL,
          topology.streamName('HOSPITAL'),
          topology.subject(recipientSubject(EVENTS.hospitalGreenOffered, w.hospitalA)),
        )) === 1,
      { message: `notice on hospital.${w.hospitalA}.green.offered` },
    );
    // Signed webhook, the sites' scheme.
    // (The hospital's webhook also carries its referrals' timeline steps: take the green notices.)
    const greenHooks = () =>
      hookA.received.filter(
        (r) => (JSON.parse(r.body) as { type: string }).type === EVENTS.hospitalGreenOffered.type,
      );
    await waitFor(() => greenHooks().length === 1, { message: 'webhook to hospital A' });
    const [hook] = greenHooks();
    expect(JSON.parse(hook.body)).toMatchObject({
      type: EVENTS.hospitalGreenOffered.type,
      subject: referralId,
      data: { caseId, hospitalId: w.hospitalA, riskLevel: 2 },
    });
    expect(verifyWebhook(hook.body, secretA, hook.headers)).toBe(true);
    expect(hook.body).not.toMatch(/王秀兰|13991500000/);

    // Hospital B neither sees nor acts on it.
    expect((await http('GET', `/v1/green-cases/${caseId}`, w.keyB)).status).toBe(404);
    expect(
      (await http('POST', `/v1/green-cases/${caseId}/acknowledge`, w.keyB, { acknowledgedBy: 'x' })).status,
    ).toBe(404);
    expect((await http('GET', '/v1/green-cases', w.keyB)).body.items).toEqual([]);

    clock.advance(5 * 60_000);
    const ack = await http('POST', `/v1/green-cases/${caseId}/acknowledge`, w.keyA, {
      acknowledgedBy: '精神科总值班 王医生',
    });
    expect(ack).toMatchObject({
      status: 200,
      body: { status: 'acknowledged', allowedActions: ['admit', 'decline'] },
    });
    const again = await http('POST', `/v1/green-cases/${caseId}/acknowledge`, w.keyA, {
      acknowledgedBy: 'x',
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'ILLEGAL_TRANSITION' } });

    // The acknowledged case does not move on when its window would have passed.
    clock.advance(60 * 60_000);
    expect((await http('POST', `/v1/green-cases/${caseId}/admit`, w.keyA)).body.status).toBe('readmitted');
    expect(
      (await http('POST', `/v1/green-cases/${caseId}/decline`, w.keyA, { reason: 'no-bed' })).status,
    ).toBe(409);
    // The referring hospital's own timeline ends with the readmission, not with the relapse report.
    const view = await http('GET', `/v1/referrals/${referralId}`, w.keyA);
    expect((view.body.timeline as Json[]).map((s) => s.step).slice(-2)).toEqual([
      'relapse-reported',
      'readmitted',
    ]);

    const steps = (await events(referralId)).map((e) => e.subject).filter((s) => s.includes('green'));
    expect(steps).toEqual([
      'green.notified',
      `hospital.${w.hospitalA}.green.offered`,
      'green.acknowledged',
      'green.readmitted',
    ]);
    const all = await events(referralId);
    expect(all.find((e) => e.subject === 'green.acknowledged')?.data).toMatchObject({
      acknowledgedBy: '精神科总值班 王医生',
      acknowledgedAt: at(5),
    });
    expect(await holder(caseId, w.keyA)).toMatchObject({
      status: 'readmitted',
      readmittedAt: at(65),
    });
  });

  it('should take a self-applied patient up the ladder: county (webhook down, no answer) → county declines → prefecture → ops', async () => {
    const referralId = randomUUID(); // no hospital discharged this patient
    const start = clock.now().getTime();
    const caseId = await relapse({ referralId, observedRiskLevel: 4, countyDivisionCode: HANYIN });

    const first = await waitFor(async () => {
      const c = await holder(caseId, keys[ids.county1]);
      return c?.status === 'offered' ? c : undefined;
    });
    expect(first).toMatchObject({ route: 'county-designated', step: 1, jointManagement: true });
    expect(Date.parse(first.answerDueAt) - start).toBe(10 * 60_000); // risk 4: ten minutes
    // The down webhook is tried, logged and retried; the other channels are not held up by it.
    await waitFor(
      async () =>
        (await w.db.count(
          `SELECT count(*) FROM "${w.service.schema}".webhook_attempt a
             JOIN "${w.service.schema}".webhook_delivery d ON d.id = a.delivery_id
            WHERE d.recipient_id = $1 AND a.error IS NOT NULL`,
          [ids.county1],
        )) >= 2,
      { message: 'failed webhook attempts logged' },
    );

    clock.advance(10 * 60_000 - 1000);
    await new Promise((r) => setTimeout(r, 300)); // several sweeps: nothing is due yet
    expect((await holder(caseId, keys[ids.county1])).status).toBe('offered');

    clock.advance(1000);
    const second = await waitFor(async () => {
      const c = await http('GET', `/v1/green-cases/${caseId}`, keys[ids.county2]);
      return c.status === 200 ? c.body : undefined;
    });
    expect(second).toMatchObject({ status: 'offered', route: 'county-designated', step: 2 });
    expect((await http('GET', `/v1/green-cases/${caseId}`, keys[ids.county1])).status).toBe(404);

    const declined = await http('POST', `/v1/green-cases/${caseId}/decline`, keys[ids.county2], {
      reason: 'no-bed',
    });
    expect(declined).toMatchObject({ status: 200, body: { status: 'declined', allowedActions: [] } });
    expect(await holder(caseId, keys[ids.prefecture])).toMatchObject({
      status: 'offered',
      route: 'prefecture-designated',
      step: 3,
    });

    clock.advance(10 * 60_000);
    await waitFor(
      async () => (await http('GET', `/v1/green-cases/${caseId}`, keys[ids.prefecture])).status === 404,
      {
        message: 'prefecture passed over',
      },
    );

    const trail = await events(referralId);
    const green = trail.filter((e) => e.subject.startsWith('green.'));
    expect(
      green.map((e) => [e.subject, e.data.hospitalId, e.data.cause ?? e.data.reason ?? e.data.route]),
    ).toEqual([
      ['green.notified', ids.county1, 'county-designated'],
      ['green.escalated', ids.county1, 'no-answer'],
      ['green.notified', ids.county2, 'county-designated'],
      ['green.declined', ids.county2, 'no-bed'],
      ['green.escalated', ids.county2, 'declined'],
      ['green.notified', ids.prefecture, 'prefecture-designated'],
      ['green.escalated', ids.prefecture, 'no-answer'],
    ]);
    expect(green.find((e) => e.subject === 'green.escalated')?.data).toMatchObject({
      toHospitalId: ids.county2,
      escalatedAt: new Date(start + 10 * 60_000).toISOString(),
    });
    expect(green[green.length - 1].data.toHospitalId).toBeUndefined();
    const alerts = trail
      .filter((e) => e.subject === 'ops.alert.raised')
      .map((e) => [e.data.code, e.data.severity]);
    expect(alerts).toEqual([
      ['GREEN_CASE_JOINT_MANAGEMENT', 'warning'],
      ['GREEN_CASE_UNANSWERED', 'warning'],
      ['GREEN_CASE_UNANSWERED', 'warning'],
      ['GREEN_CASE_UNPLACED', 'critical'],
    ]);
    const withdrawn = trail.filter((e) => e.subject.endsWith('.green.withdrawn')).map((e) => e.subject);
    expect(withdrawn).toEqual([
      `hospital.${ids.county1}.green.withdrawn`,
      `hospital.${ids.county2}.green.withdrawn`,
      `hospital.${ids.prefecture}.green.withdrawn`,
    ]);
  });

  it('should move an overdue case on once when several sweepers race for it', async () => {
    const referralId = randomUUID();
    const caseId = await relapse({ referralId, observedRiskLevel: 1, countyDivisionCode: HANYIN });
    await waitFor(async () => (await holder(caseId, keys[ids.county1]))?.status === 'offered');
    const ladder = w.service.app.get(GreenLadderService);
    clock.advance(31 * 60_000);
    await Promise.all([ladder.escalateOverdue(), ladder.escalateOverdue(), ladder.escalateOverdue()]);
    await waitFor(async () => (await holder(caseId, keys[ids.county2]))?.status === 'offered');
    const escalations = (await events(referralId)).filter((e) => e.subject === 'green.escalated');
    expect(escalations).toHaveLength(1);
  });

  it('should refuse bad answers with a stable code and lose nothing', async () => {
    const unknown = await http('POST', `/v1/green-cases/${randomUUID()}/acknowledge`, w.keyA, {
      acknowledgedBy: 'x',
    });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'GREEN_CASE_NOT_FOUND' } });
    expect((await http('POST', '/v1/green-cases/not-a-uuid/admit', w.keyA)).status).toBe(404);
    const reason = await http('POST', `/v1/green-cases/${randomUUID()}/decline`, w.keyA, { reason: 'tired' });
    expect(reason).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect((await http('GET', '/v1/green-cases?cursor=zzz', w.keyA)).body.code).toBe('INVALID_CURSOR');
    const designation = await http('PUT', '/v1/admin/green-designations/610921', undefined, {
      hospitalIds: ['no-such-hospital'],
    });
    expect(designation).toMatchObject({ status: 400, body: { code: 'INVALID_DESIGNATION' } });
  });
});
