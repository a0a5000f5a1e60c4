import { EVENTS } from '@app/contracts';
import { holdsFor, waitFor, webhookReceiver, WebhookReceiver } from '@app/testing';
import { DIVISIONS, RehabSiteHarness, startRehabSiteHarness } from './harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Issue 21 (part A): the subject's file read back and carried across transfers, the periodic-assessment timers,
 * escalations told to the county centre, and the decline codes that do not simply re-route.
 */
describe('rehab-site: subject file, assessment timers, county centre escalation, decline codes', () => {
  let world: RehabSiteHarness;
  let centreHook: WebhookReceiver;
  const keys: Record<string, string> = {};

  const act = (site: string, referralId: string, action: string, body: unknown = {}) =>
    world.http('POST', `/v1/sites/${site}/referrals/${referralId}/${action}`, keys[site], body);
  const file = (site: string, referralId: string) =>
    world.http('GET', `/v1/sites/${site}/referrals/${referralId}/file`, keys[site]);
  const count = async (referralId: string, subject: string) =>
    (await world.events(referralId, subject)).length;
  const assignedTo = async (referralId: string, n: number) => {
    await waitFor(async () => (await world.assignments(referralId)).length >= n, {
      message: `${n} assignment(s)`,
      timeoutMs: 30_000,
    });
    return world.assignments(referralId);
  };
  const iso = (offsetMs: number) => new Date(world.clock.now().getTime() + offsetMs).toISOString();
  /** Registered, assigned to a-station and accepted there. */
  const accepted = async () => {
    const id = await world.register();
    expect(await assignedTo(id, 1)).toEqual(['a-station']);
    expect((await act('a-station', id, 'accept')).status).toBe(200);
    return id;
  };

  beforeAll(async () => {
    world = await startRehabSiteHarness({ assessmentDueNoticeDays: 7, answerWindowHours: 72 });
    centreHook = await webhookReceiver();
    for (const site of [
      { id: 'a-station', level: 'community-station' as const, areaCodes: [DIVISIONS.committee] },
      { id: 'b-street', level: 'street-site' as const, areaCodes: [DIVISIONS.township] },
      {
        id: 'c-centre',
        level: 'county-centre' as const,
        areaCodes: [DIVISIONS.county],
        webhookUrl: centreHook.url,
      },
      { id: 'd-station', level: 'community-station' as const, areaCodes: [DIVISIONS.otherCommittee] },
    ]) {
      keys[site.id] = (await world.createSite({ ...site, capacity: 20 })).apiKey;
    }
  });

  afterAll(async () => {
    await world?.stop();
    await centreHook?.close();
  });

  describe("the subject's file", () => {
    it("should show a transferred subject's file to the new site and not to the old one", async () => {
      const id = await accepted();
      // Sessions and assessments are recorded once they took place, after the acceptance: three hours on.
      world.clock.advance(3 * HOUR);
      const plan = {
        startsAt: iso(-3 * HOUR),
        goals: ['独立乘车'],
        services: ['day-care'],
        reviewBy: iso(30 * DAY),
      };
      expect((await act('a-station', id, 'plan', plan)).status).toBe(200);
      const session = { date: iso(-2 * HOUR), type: 'day-care', durationMinutes: 90, staff: '王医生' };
      expect((await act('a-station', id, 'sessions', session)).status).toBe(200);
      const assessment = {
        assessedAt: iso(-HOUR),
        riskLevel: 1,
        conditionStatus: 'stable',
        summary: '稳定',
      };
      expect((await act('a-station', id, 'assessments', assessment)).status).toBe(200);

      const atOldSite = await file('a-station', id);
      expect(atOldSite.status).toBe(200);
      expect(atOldSite.body).toMatchObject({ referralId: id, siteId: 'a-station', status: 'in-service' });
      expect((atOldSite.body as { records: { kind: string }[] }).records.map((r) => r.kind)).toEqual([
        'plan',
        'session',
        'assessment',
      ]);
      // Another site never sees it.
      expect((await file('b-street', id)).status).toBe(404);

      const moved = await act('a-station', id, 'transfer', {
        toSiteId: 'd-station',
        newResidenceDivisionCode: DIVISIONS.otherCommittee,
        reason: '搬家',
      });
      expect(moved.status).toBe(200);

      expect((await file('a-station', id)).status).toBe(404);
      const atNewSite = await file('d-station', id);
      expect(atNewSite.status).toBe(200);
      const records = (atNewSite.body as { records: { kind: string; siteId: string; details: object }[] })
        .records;
      expect(records.map((r) => [r.kind, r.siteId])).toEqual([
        ['plan', 'a-station'],
        ['session', 'a-station'],
        ['assessment', 'a-station'],
      ]);
      expect(records[0].details).toMatchObject({ goals: ['独立乘车'] });

      // The new site's own records join the history.
      expect((await act('d-station', id, 'accept')).status).toBe(200);
      world.clock.advance(HOUR);
      const next = { date: iso(-HOUR / 2), type: 'day-care', durationMinutes: 60, staff: '李医生' };
      expect((await act('d-station', id, 'sessions', next)).status).toBe(200);
      const after = (await file('d-station', id)).body as { records: { siteId: string }[] };
      expect(after.records.map((r) => r.siteId)).toEqual([
        'a-station',
        'a-station',
        'a-station',
        'd-station',
      ]);
      expect((await file('a-station', id)).status).toBe(404);

      // Consent withdrawn: the holder loses the file too.
      await world.withdrawConsent(id);
      await waitFor(async () => (await file('d-station', id)).status === 404, {
        message: 'file closed after withdrawal',
        timeoutMs: 30_000,
      });
    });

    it("should give the registration channel the file's summary without clinical notes", async () => {
      const id = await accepted();
      world.clock.advance(3 * HOUR);
      const reviewBy = iso(60 * DAY);
      await act('a-station', id, 'plan', {
        startsAt: iso(-2 * HOUR),
        goals: ['生活自理'],
        services: ['day-care'],
        reviewBy,
      });
      const sessionAt = iso(-HOUR);
      await act('a-station', id, 'sessions', {
        date: sessionAt,
        type: 'day-care',
        durationMinutes: 30,
        staff: '张',
      });
      await act('a-station', id, 'transfer', { toSiteId: 'd-station', reason: '搬家' });

      const summaries = await world.events(id, EVENTS.referralFileSummarised.subject);
      expect(summaries.map((s) => [s.data.siteId, s.data.stage, s.data.sessionCount])).toEqual([
        ['a-station', 'accepted', 0],
        ['a-station', 'accepted', 0],
        ['a-station', 'in-service', 1],
        ['d-station', 'assigned', 1],
      ]);
      expect(summaries[3].data).toMatchObject({
        assessmentCount: 0,
        lastSessionAt: new Date(sessionAt).toISOString(),
        nextAssessmentBy: new Date(reviewBy).toISOString(),
      });
      const wire = JSON.stringify(summaries);
      for (const secret of ['生活自理', 'staff', 'goals', 'summary']) expect(wire).not.toContain(secret);
    });

    it('should refuse a plan whose review date is not after its start (nothing stored)', async () => {
      const id = await accepted();
      const bad = await act('a-station', id, 'plan', {
        startsAt: iso(DAY),
        goals: ['x'],
        services: ['day-care'],
        reviewBy: iso(0),
      });
      expect(bad.status).toBe(400);
      expect(((await file('a-station', id)).body as { records: unknown[] }).records).toEqual([]);
      expect((await world.referral(id))?.review_by).toBeNull();
    });
  });

  describe('periodic assessment timers', () => {
    it('should raise assessment-due and then assessment-overdue exactly once each under the ManualClock', async () => {
      const id = await accepted();
      const met = await accepted();
      for (const referral of [id, met]) {
        const plan = { startsAt: iso(0), goals: ['复诊'], services: ['day-care'], reviewBy: iso(10 * DAY) };
        expect((await act('a-station', referral, 'plan', plan)).status).toBe(200);
      }
      const due = EVENTS.referralPeriodicAssessmentDue.subject;
      const overdue = EVENTS.referralPeriodicAssessmentOverdue.subject;

      // 10 days out, 7 days' notice: nothing yet (the sweeper runs every 100 ms).
      await holdsFor(async () => (await count(id, due)) === 0, 600);

      world.clock.advance(4 * DAY);
      await waitFor(async () => (await count(id, due)) === 1, { message: 'due raised', timeoutMs: 30_000 });
      await waitFor(async () => (await count(met, due)) === 1, { message: 'due raised', timeoutMs: 30_000 });
      await holdsFor(async () => (await count(id, due)) === 1 && (await count(id, overdue)) === 0, 600);
      const [raised] = await world.events(id, due);
      expect(raised.data).toMatchObject({ referralId: id, siteId: 'a-station' });

      // One of them is assessed in time: its timers stop.
      const assessment = { assessedAt: iso(0), riskLevel: 1, conditionStatus: 'stable' };
      expect((await act('a-station', met, 'assessments', assessment)).status).toBe(200);

      world.clock.advance(7 * DAY);
      await waitFor(async () => (await count(id, overdue)) === 1, {
        message: 'overdue raised',
        timeoutMs: 30_000,
      });
      await holdsFor(
        async () =>
          (await count(id, due)) === 1 &&
          (await count(id, overdue)) === 1 &&
          (await count(met, overdue)) === 0 &&
          (await count(met, due)) === 1,
        800,
      );
      const alerts = (await world.events(id, EVENTS.opsAlertRaised.subject)).map((a) => a.data.code);
      expect(alerts).toEqual(['PERIODIC_ASSESSMENT_OVERDUE']);

      // Recording the assessment clears the overdue review; a new plan starts the timers again.
      expect((await act('a-station', id, 'assessments', assessment)).status).toBe(200);
      expect((await world.referral(id))?.review_by).toBeNull();
      const plan = { startsAt: iso(0), goals: ['复诊'], services: ['day-care'], reviewBy: iso(3 * DAY) };
      expect((await act('a-station', id, 'plan', plan)).status).toBe(200);
      await waitFor(async () => (await count(id, due)) === 2, { message: 'next due', timeoutMs: 30_000 });
    });
  });

  describe('escalation', () => {
    it("should tell the county centre of the referral's county on its own subject and webhook", async () => {
      const id = await world.register();
      expect(await assignedTo(id, 1)).toEqual(['a-station']);

      world.clock.advance(73 * HOUR);
      await waitFor(async () => (await count(id, EVENTS.referralEscalated.subject)) === 1, {
        message: 'escalated',
        timeoutMs: 30_000,
      });

      const [notice] = await world.events(id, 'site.c-centre.referral.escalated');
      expect(notice.data).toMatchObject({
        referralId: id,
        siteId: 'c-centre',
        escalatedSiteId: 'a-station',
        countyCode: DIVISIONS.county,
        hop: 1,
      });
      await waitFor(
        () =>
          centreHook.received.some((r) => {
            const body = JSON.parse(r.body) as { type: string; data: { referralId: string } };
            return body.type === EVENTS.siteReferralEscalated.type && body.data.referralId === id;
          }),
        { message: 'county centre webhook', timeoutMs: 30_000 },
      );
      const [alert] = (await world.events(id, EVENTS.opsAlertRaised.subject)).filter(
        (a) => a.data.code === 'SITE_ANSWER_OVERDUE',
      );
      expect(alert.data.details).toMatchObject({ countyCentreTold: 'c-centre' });
    });
  });

  describe('decline codes', () => {
    it('should send a risk-too-high decline to the county centre, not to the next community site', async () => {
      const id = await world.register();
      expect(await assignedTo(id, 1)).toEqual(['a-station']);

      const declined = await act('a-station', id, 'decline', { reasonCode: 'risk-too-high' });
      expect(declined.status).toBe(200);

      expect(await assignedTo(id, 2)).toEqual(['a-station', 'c-centre']);
      const [assigned] = (await world.events(id, EVENTS.referralAssigned.subject)).slice(1);
      expect(assigned.data).toMatchObject({ siteId: 'c-centre', needsManualPlacement: true });
      const codes = (await world.events(id, EVENTS.opsAlertRaised.subject)).map((a) => a.data.code);
      expect(codes).toEqual(['RISK_TOO_HIGH_FOR_COMMUNITY', 'NEEDS_MANUAL_PLACEMENT']);
      expect((await world.events(id, EVENTS.referralDeclined.subject)).map((e) => e.data.reasonCode)).toEqual(
        ['risk-too-high'],
      );
    });

    it('should stop routing when the patient or guardian refused, until ops place it', async () => {
      const id = await world.register();
      expect(await assignedTo(id, 1)).toEqual(['a-station']);
      const [{ reserved: before }] = await world.db.query<{ reserved: number }>(
        `SELECT reserved FROM ${world.schema}.site WHERE id = 'a-station'`,
      );

      expect((await act('a-station', id, 'decline', { reasonCode: 'patient-refused' })).status).toBe(200);

      expect(await world.referral(id)).toMatchObject({
        status: 'patient-refused',
        site_id: null,
        holds_place: false,
      });
      await holdsFor(async () => (await world.assignments(id)).length === 1, 600);
      const [{ reserved: after }] = await world.db.query<{ reserved: number }>(
        `SELECT reserved FROM ${world.schema}.site WHERE id = 'a-station'`,
      );
      expect(after).toBe(before - 1);
      expect((await world.events(id, EVENTS.opsAlertRaised.subject)).map((a) => a.data.code)).toEqual([
        'PATIENT_REFUSED_ROUTING_STOPPED',
      ]);

      // The patient agrees later: ops place it by hand.
      const placed = await world.http('POST', `/v1/admin/referrals/${id}/placement`, world.adminToken, {
        siteId: 'b-street',
      });
      expect(placed.status).toBe(200);
      expect(await assignedTo(id, 2)).toEqual(['a-station', 'b-street']);
    });

    it('should refuse an unknown decline code with 400 and keep the assignment', async () => {
      const id = await world.register();
      await assignedTo(id, 1);
      expect((await act('a-station', id, 'decline', { reasonCode: 'too-busy' })).status).toBe(400);
      expect((await world.referral(id))?.status).toBe('assigned');
    });
  });
});
