import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

const HOUR = 3_600_000;
const SERVING = [
  'record-plan',
  'record-session',
  'record-assessment',
  'transfer',
  'close',
  'report-relapse',
  'confirm-employment-readiness',
];

describe('rehab-site decisions, escalation and withdrawal', () => {
  let world: RehabSiteHarness;
  const keys: Record<string, string> = {};

  const act = (site: string, referralId: string, action: string, body: unknown = {}) =>
    world.http('POST', `/v1/sites/${site}/referrals/${referralId}/${action}`, keys[site], body);
  const assignedTo = async (referralId: string, count: number) => {
    await waitFor(async () => (await world.assignments(referralId)).length >= count, {
      message: `${count} assignment(s)`,
    });
    return world.assignments(referralId);
  };

  beforeAll(async () => {
    world = await startRehabSiteHarness({
      maxHops: 5,
      answerWindowHours: 72,
      answerWindowHighRiskHours: 24,
      highRiskFromLevel: 2,
    });
    for (const site of [
      { id: 'a-station', level: 'community-station' as const, areaCodes: [DIVISIONS.committee] },
      { id: 'b-street', level: 'street-site' as const, areaCodes: [DIVISIONS.township] },
      { id: 'c-centre', level: 'county-centre' as const, areaCodes: [DIVISIONS.county] },
    ]) {
      keys[site.id] = (await world.createSite({ ...site, capacity: 20 })).apiKey;
    }
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('should re-route a decline to the next site and never back to a site that declined', async () => {
    // a-station is also the previous site: continuity must not bring the referral back once it declined.
    const id = await world.register({ previousSiteId: 'a-station' });
    expect(await assignedTo(id, 1)).toEqual(['a-station']);

    const first = await act('a-station', id, 'decline', { reasonCode: 'no-capacity' });
    expect(first).toMatchObject({
      status: 200,
      body: { referralId: id, status: 'declined', allowedActions: [] },
    });
    expect(await assignedTo(id, 2)).toEqual(['a-station', 'b-street']);

    await act('b-street', id, 'decline', { reasonCode: 'other', reasonText: '本月名额已满' });
    expect(await assignedTo(id, 3)).toEqual(['a-station', 'b-street', 'c-centre']);

    await act('c-centre', id, 'decline', { reasonCode: 'outside-area' });
    await waitFor(async () => (await world.referral(id))?.status === 'unplaced', { message: 'unplaced' });
    expect(await world.assignments(id)).toEqual(['a-station', 'b-street', 'c-centre']);
    const declined = await world.events(id, EVENTS.referralDeclined.subject);
    expect(declined.map((e) => [e.data.siteId, e.data.reasonCode])).toEqual([
      ['a-station', 'no-capacity'],
      ['b-street', 'other'],
      ['c-centre', 'outside-area'],
    ]);
    const hops = (await world.events(id, EVENTS.referralAssigned.subject)).map((e) => e.data.hop);
    expect(hops).toEqual([1, 2, 3]);
    // Every place taken along the way was given back.
    const [{ reserved }] = await world.db.query<{ reserved: number }>(
      `SELECT sum(reserved)::int AS reserved FROM ${world.schema}.site`,
    );
    const held = await world.db.count(`SELECT count(*) FROM ${world.schema}.referral WHERE holds_place`);
    expect(reserved).toBe(held);
  });

  it('should require reason text for the "other" decline reason', async () => {
    const id = await world.register();
    await assignedTo(id, 1);

    const response = await act('a-station', id, 'decline', { reasonCode: 'other' });

    expect(response.status).toBe(400);
    expect((await world.referral(id))?.status).toBe('assigned');
  });

  it('should answer with the allowed next actions and refuse an illegal transition with 409 listing them', async () => {
    const id = await world.register();
    await assignedTo(id, 1);

    const accepted = await act('a-station', id, 'accept');
    expect(accepted).toMatchObject({
      status: 200,
      body: {
        status: 'accepted',
        allowedActions: SERVING,
      },
    });
    const again = await act('a-station', id, 'decline', { reasonCode: 'no-capacity' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      allowedActions: SERVING,
    });
    const acceptances = await world.events(id, EVENTS.referralAccepted.subject);
    expect(acceptances).toHaveLength(1);
    // The site's level and area travel with it (ops-monitor's coverage indicators).
    expect(acceptances[0].data).toMatchObject({
      siteId: 'a-station',
      siteLevel: 'community-station',
      siteAreaCodes: [DIVISIONS.committee],
    });
  });

  it('should escalate an unanswered referral after its window (shorter for higher risk) and re-route it', async () => {
    const lowRisk = await world.register({ riskLevel: 0 });
    const highRisk = await world.register({ riskLevel: 2, colourGrade: 'yellow' });
    await assignedTo(lowRisk, 1);
    await assignedTo(highRisk, 1);

    world.clock.advance(25 * HOUR);
    await waitFor(async () => (await world.assignments(highRisk)).length === 2, {
      message: 'high risk re-routed',
    });
    expect(await world.assignments(highRisk)).toEqual(['a-station', 'b-street']);
    const [escalated] = await world.events(highRisk, EVENTS.referralEscalated.subject);
    expect(escalated.data).toMatchObject({ siteId: 'a-station' });
    expect((await world.events(highRisk, 'site.a-station.referral.revoked')).length).toBe(1);
    // The 72-hour window of the low-risk referral has not passed.
    expect((await world.referral(lowRisk))?.site_id).toBe('a-station');
    expect(await world.events(lowRisk, EVENTS.referralEscalated.subject)).toEqual([]);

    world.clock.advance(48 * HOUR);
    await waitFor(async () => (await world.assignments(lowRisk)).length === 2, {
      message: 'low risk re-routed',
    });
    expect(await world.assignments(lowRisk)).toEqual(['a-station', 'b-street']);
    // The site that let it lapse can no longer act on it.
    expect((await act('a-station', lowRisk, 'accept')).status).toBe(404);
  });

  it('should end the assignment, free the place and delete the contact when consent is withdrawn', async () => {
    const id = await world.register();
    await assignedTo(id, 1);
    const before = await world.db.query<{ reserved: number }>(
      `SELECT reserved FROM ${world.schema}.site WHERE id = 'a-station'`,
    );

    await world.withdrawConsent(id);

    await waitFor(async () => (await world.referral(id))?.status === 'consent-withdrawn', {
      message: 'withdrawn',
    });
    const referral = await world.referral(id);
    expect(referral).toMatchObject({ sealed_contact: null, holds_place: false });
    const [after] = await world.db.query<{ reserved: number }>(
      `SELECT reserved FROM ${world.schema}.site WHERE id = 'a-station'`,
    );
    expect(after.reserved).toBe(before[0].reserved - 1);
    expect((await world.http('GET', `/v1/sites/a-station/referrals/${id}`, keys['a-station'])).status).toBe(
      404,
    );
    expect((await world.events(id, 'site.a-station.referral.revoked')).map((e) => e.data.reason)).toEqual([
      'consent-withdrawn',
    ]);
  });

  it('should close with an outcome and follow-up call, report relapse and confirm employment readiness', async () => {
    const served = await world.register({ validConsents: [{ purpose: 'employment' }] });
    const relapsed = await world.register();
    await assignedTo(served, 1);
    await assignedTo(relapsed, 1);
    await act('a-station', served, 'accept');
    await act('a-station', relapsed, 'accept');

    const ready = await act('a-station', served, 'employment-readiness', { willing: true });
    expect(ready.status).toBe(200);
    const noAnswer = await act('a-station', served, 'employment-readiness', {});
    expect(noAnswer.status).toBe(400);
    const closed = await act('a-station', served, 'close', {
      outcome: 'lost-to-follow-up',
      followUp: { calledAt: world.clock.now().toISOString(), reached: 'none', note: '电话无人接听' },
    });
    expect(closed.body).toMatchObject({ status: 'closed', allowedActions: [] });
    const relapse = await act('a-station', relapsed, 'relapse', { observedRiskLevel: 3 });
    expect(relapse.body).toMatchObject({ status: 'green-channel', allowedActions: ['close'] });

    expect((await world.events(served, EVENTS.employmentReadinessConfirmed.subject)).length).toBe(1);
    expect((await world.events(served, EVENTS.referralClosed.subject)).map((e) => e.data.outcome)).toEqual([
      'lost-to-follow-up',
    ]);
    expect(
      (await world.events(relapsed, EVENTS.greenRelapseReported.subject)).map(
        (e) => e.data.observedRiskLevel,
      ),
    ).toEqual([3]);
    const [row] = await world.db.query<{ follow_up: { reached: string } }>(
      `SELECT follow_up FROM ${world.schema}.referral WHERE referral_id = $1`,
      [served],
    );
    expect(row.follow_up.reached).toBe('none');
  });

  it('should refuse a close without its required follow-up call (400) and leave the referral open', async () => {
    const id = await world.register();
    await assignedTo(id, 1);
    await act('a-station', id, 'accept');
    const refused = await act('a-station', id, 'close', { outcome: 'recovered' });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('#/followUp');
    const [row] = await world.db.query<{ status: string; follow_up: unknown }>(
      `SELECT status, follow_up FROM ${world.schema}.referral WHERE referral_id = $1`,
      [id],
    );
    expect(row).toEqual({ status: 'accepted', follow_up: null });
  });

  it('should record plan, sessions and assessments, and transfer to the site the patient moved to', async () => {
    const id = await world.register();
    await assignedTo(id, 1);
    await act('a-station', id, 'accept');
    const at = world.clock.now().toISOString();

    const plan = await act('a-station', id, 'plan', {
      startsAt: at,
      goals: ['按时服药', '恢复社交'],
      services: ['day-care', 'social-skills'],
      reviewBy: new Date(world.clock.now().getTime() + 90 * 24 * HOUR).toISOString(),
    });
    expect(plan.body).toMatchObject({ status: 'accepted', allowedActions: SERVING });
    // A session or an assessment in the future is refused (recorded once it took place), and nothing is kept.
    const tomorrow = new Date(world.clock.now().getTime() + 24 * HOUR).toISOString();
    const early = await act('a-station', id, 'sessions', {
      date: tomorrow,
      type: 'day-care',
      durationMinutes: 120,
      staff: '刘社工',
    });
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({
      code: 'SERVICE_DATE_IN_FUTURE',
      errors: [expect.objectContaining({ pointer: '#/date' })],
    });
    const earlyAssessment = await act('a-station', id, 'assessments', {
      assessedAt: tomorrow,
      riskLevel: 1,
      conditionStatus: 'stable',
    });
    expect(earlyAssessment.body).toMatchObject({ code: 'SERVICE_DATE_IN_FUTURE' });
    // Nor dated before the site accepted the referral (a walk-through recorded a session of 2020: 200, in-service).
    const beforeAcceptance = new Date(world.clock.now().getTime() - 24 * HOUR).toISOString();
    const backdated = await act('a-station', id, 'sessions', {
      date: beforeAcceptance,
      type: 'day-care',
      durationMinutes: 120,
      staff: '刘社工',
    });
    expect(backdated.status).toBe(400);
    expect(backdated.body).toMatchObject({
      code: 'SERVICE_DATE_BEFORE_ACCEPTANCE',
      errors: [expect.objectContaining({ pointer: '#/date' })],
    });
    const backdatedAssessment = await act('a-station', id, 'assessments', {
      assessedAt: beforeAcceptance,
      riskLevel: 1,
      conditionStatus: 'stable',
    });
    expect(backdatedAssessment.body).toMatchObject({ code: 'SERVICE_DATE_BEFORE_ACCEPTANCE' });
    expect(await world.events(id, EVENTS.referralServiceRecorded.subject)).toHaveLength(1); // the plan
    const session = await act('a-station', id, 'sessions', {
      date: at,
      type: 'day-care',
      durationMinutes: 120,
      staff: '刘社工',
    });
    expect(session.body).toMatchObject({ status: 'in-service', allowedActions: SERVING });
    const assessment = await act('a-station', id, 'assessments', {
      assessedAt: at,
      riskLevel: 1,
      conditionStatus: 'stable',
    });
    expect(assessment.status).toBe(200);
    const recorded = await world.events(id, EVENTS.referralServiceRecorded.subject);
    expect(recorded.map((e) => e.data.kind)).toEqual(['plan', 'session', 'assessment']);
    expect(JSON.stringify(recorded)).not.toContain('刘社工');

    const full = await act('a-station', id, 'transfer', { toSiteId: 'no-such-site', reason: '搬家' });
    expect(full.status).toBe(422);
    const moved = await act('a-station', id, 'transfer', {
      toSiteId: 'b-street',
      newResidenceDivisionCode: '610902002001',
      reason: '搬家',
    });
    expect(moved.body).toMatchObject({ status: 'transferred', allowedActions: [] });
    expect(await world.assignments(id)).toEqual(['a-station', 'b-street']);
    expect((await world.events(id, EVENTS.referralTransferred.subject)).map((e) => e.data.toSiteId)).toEqual([
      'b-street',
    ]);
    expect((await world.http('GET', `/v1/sites/a-station/referrals/${id}`, keys['a-station'])).status).toBe(
      404,
    );
    const atNewSite = await world.http('GET', `/v1/sites/b-street/referrals/${id}`, keys['b-street']);
    expect(atNewSite.body).toMatchObject({ status: 'assigned', allowedActions: ['accept', 'decline'] });
  });
});
