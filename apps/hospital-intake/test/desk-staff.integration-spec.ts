import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { EVENTS, GREEN_DECLINE_REASONS } from '@app/contracts';
import { ManualClock } from '@app/core';
import { buildEnvelope, Topology } from '@app/messaging';
import { createStaffAccount, rawCall, SHARED_NATS_URL, signIn, StaffBrowser, waitFor } from '@app/testing';
import { discharge } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

const PASSWORD = 'desk-test-password-1';

/**
 * The hospital's green-channel desk as its staff reach it (issue #24): people of the hospital sign in with a
 * session; a worker may acknowledge an offered case but not admit or decline it, a coordinator may, a viewer
 * only reads; another hospital's person sees nothing; and the audit trail names the person who answered.
 */
describe('hospital-intake: the green-channel desk with staff sessions', () => {
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 60_000) * 60_000));
  let w: HospitalIntakeHarness;
  let nc: NatsConnection;
  let topology: Topology;
  const people: Record<'coordinator' | 'worker' | 'viewer' | 'otherHospital', StaffBrowser> = {} as never;
  const ids: Record<string, string> = {};

  /** A relapse of one of hospital A's referrals; answers its case once it is offered to A. */
  const offeredCase = async (): Promise<{ caseId: string; referralId: string }> => {
    const answer = await w.send('/v1/discharges', discharge());
    expect(answer.status).toBe(201);
    const referralId = (answer.body as { referralId: string }).referralId;
    const data = {
      referralId,
      siteId: 'site-1',
      observedRiskLevel: 2,
      reportedAt: clock.now().toISOString(),
    };
    const envelope = buildEnvelope(EVENTS.greenRelapseReported, 'rehab-site', data, { subject: referralId });
    await jetstream(nc).publish(
      topology.subject(EVENTS.greenRelapseReported.subject),
      JSON.stringify(envelope),
      {
        msgID: envelope.id,
      },
    );
    const caseId = await waitFor(
      async () => {
        const list = await people.viewer.call('GET', '/v1/green-cases?status=offered');
        const items = (list.body as { items?: { caseId: string; referralId: string }[] }).items ?? [];
        return items.find((c) => c.referralId === referralId)?.caseId;
      },
      { message: 'case offered to hospital A' },
    );
    return { caseId, referralId };
  };

  beforeAll(async () => {
    w = await startHospitalIntakeHarness({}, clock);
    topology = new Topology(w.service.namespace);
    nc = await connect({ servers: SHARED_NATS_URL });
    const suffix = randomUUID().slice(0, 6);
    for (const role of ['coordinator', 'worker', 'viewer'] as const) {
      const username = `desk-${role}-${suffix}`;
      const account = await createStaffAccount(w.service.url, w.keyA, { username, role, password: PASSWORD });
      ids[role] = account.id as string;
      people[role] = await signIn(w.service.url, username, PASSWORD);
    }
    const other = `desk-other-${suffix}`;
    await createStaffAccount(w.service.url, w.keyB, {
      username: other,
      role: 'coordinator',
      password: PASSWORD,
    });
    people.otherHospital = await signIn(w.service.url, other, PASSWORD);
  });

  afterAll(async () => {
    await nc?.close();
    await w?.close();
  });

  it('should let a worker acknowledge but not admit or decline, a coordinator admit, and a viewer only read', async () => {
    const { caseId, referralId } = await offeredCase();
    const path = (action: string) => `/v1/green-cases/${caseId}/${action}`;

    const viewerAck = await people.viewer.call('POST', path('acknowledge'), { acknowledgedBy: '只读' });
    expect(viewerAck.status).toBe(403);
    expect(viewerAck.body).toMatchObject({ code: 'STAFF_ROLE_FORBIDDEN' });
    // Another hospital's coordinator: the case does not exist for them.
    expect((await people.otherHospital.call('GET', `/v1/green-cases/${caseId}`)).status).toBe(404);
    expect((await people.otherHospital.call('POST', path('admit'))).status).toBe(404);
    // Without the CSRF header the cookie alone changes nothing.
    const noCsrf = await rawCall(
      w.service.url,
      'POST',
      path('acknowledge'),
      { Cookie: people.worker.cookie },
      {
        acknowledgedBy: '精神科总值班',
      },
    );
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body).toMatchObject({ code: 'CSRF_TOKEN_INVALID' });

    const ack = await people.worker.call('POST', path('acknowledge'), {
      acknowledgedBy: '精神科总值班 李医生',
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', allowedActions: ['admit', 'decline'] });
    for (const [action, body] of [
      ['admit', undefined],
      ['decline', { reason: GREEN_DECLINE_REASONS[0] }],
    ] as const) {
      const refused = await people.worker.call('POST', path(action), body);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'STAFF_ROLE_FORBIDDEN' });
    }
    const admitted = await people.coordinator.call('POST', path('admit'));
    expect(admitted.status).toBe(200);
    expect(admitted.body).toMatchObject({ status: 'readmitted' });

    // The audit trail (kept by referral) names the person behind each answer, not only the hospital.
    const agents = await w.db.query<{ agent_user_id: string | null }>(
      `SELECT agent_user_id FROM "${w.service.schema}".audit_event
        WHERE entity_id = $1 AND outcome = 0 AND agent_user_id IS NOT NULL ORDER BY recorded`,
      [referralId],
    );
    expect(agents.map((a) => a.agent_user_id)).toEqual(
      expect.arrayContaining([`staff:${ids.worker}`, `staff:${ids.coordinator}`]),
    );
  });
});
