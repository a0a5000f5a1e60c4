import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { holdsFor, waitFor } from '@app/testing';
import { RetentionService } from '../src/referrals/retention.service';
import { clinicalFields, scanForClinicalData } from './clinical-scan';
import { DIVISIONS, EmploymentHarness, startEmploymentHarness } from './harness';

const DAY = 86_400_000;

describe('employment-referral: from readiness to the 6-month retention check', () => {
  let world: EmploymentHarness;
  const key: Record<string, string> = {};

  beforeAll(async () => {
    world = await startEmploymentHarness({ maxHops: 2, retentionGraceDays: 14 });
    key.county = await world.createProvider({
      id: 'ep-county',
      areaCodes: [DIVISIONS.county],
      programmes: ['supported-employment', 'vocational-training'],
      capacity: 2,
    });
    key.township = await world.createProvider({
      id: 'ep-township',
      areaCodes: [DIVISIONS.township],
      programmes: ['supported-employment'],
      capacity: 1,
    });
    key.otherCountyA = await world.createProvider({
      id: 'ep-hanyin-a',
      areaCodes: [DIVISIONS.otherCounty],
      programmes: ['sheltered-employment'],
    });
    key.otherCountyB = await world.createProvider({
      id: 'ep-hanyin-b',
      areaCodes: [DIVISIONS.otherCounty],
      programmes: ['sheltered-employment'],
    });
    key.otherCountyC = await world.createProvider({
      id: 'ep-hanyin-c',
      areaCodes: [DIVISIONS.otherCounty],
      programmes: ['sheltered-employment'],
    });
  });

  afterAll(() => world.stop());

  const path = (provider: string, referralId: string, action = '') =>
    `/v1/providers/${provider}/referrals/${referralId}${action ? `/${action}` : ''}`;

  it('should refer, re-route a decline, train, place, check retention at 1/3/6 months and raise an overdue check once', async () => {
    const referralId = await world.confirmReadiness();
    // The most local provider with a wanted programme and a free place: the township's.
    await waitFor(async () => (await world.status(referralId)) === 'referred', { message: 'referred' });
    expect((await world.events(referralId, 'employment.referral.referred'))[0].data).toMatchObject({
      providerId: 'ep-township',
      hop: 1,
    });
    expect(await world.reserved('ep-township')).toBe(1);

    const declined = await world.http('POST', path('ep-township', referralId, 'decline'), key.township, {
      reasonCode: 'no-capacity',
    });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ status: 'declined', allowedActions: [] });
    expect(await world.reserved('ep-township')).toBe(0);
    // Re-routed at once to the county's provider; the township's no longer sees it.
    expect((await world.events(referralId, 'employment.referral.referred'))[1].data).toMatchObject({
      providerId: 'ep-county',
      hop: 2,
    });
    expect((await world.http('GET', path('ep-township', referralId), key.township)).status).toBe(404);

    const early = await world.http('POST', path('ep-county', referralId, 'placement'), key.county, {
      placementType: 'supported',
      employerName: '安康市汉滨区某食品有限公司',
      startDate: '2026-03-09',
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'ILLEGAL_TRANSITION', allowedActions: ['accept', 'decline'] });

    expect((await world.http('POST', path('ep-county', referralId, 'accept'), key.county)).status).toBe(200);
    const training = await world.http('POST', path('ep-county', referralId, 'training'), key.county, {
      programme: 'vocational-training',
    });
    expect(training.body).toMatchObject({
      status: 'training',
      allowedActions: ['record-employer-contact', 'place', 'end'],
    });
    const placed = await world.http('POST', path('ep-county', referralId, 'placement'), key.county, {
      placementType: 'supported',
      employerName: '安康市汉滨区某食品有限公司',
      startDate: '2026-03-09',
    });
    expect(placed.status).toBe(200);
    expect(placed.body.placement).toEqual({
      placementType: 'supported',
      employerName: '安康市汉滨区某食品有限公司',
      startDate: '2026-03-09',
    });
    expect(
      (placed.body.retentionChecks as { month: number; dueAt: string }[]).map((c) => [c.month, c.dueAt]),
    ).toEqual([
      [1, '2026-04-08T16:00:00.000Z'],
      [3, '2026-06-08T16:00:00.000Z'],
      [6, '2026-09-08T16:00:00.000Z'],
    ]);

    const notDue = await world.http('POST', path('ep-county', referralId, 'retention-checks'), key.county, {
      month: 1,
      retained: true,
    });
    expect(notDue.status).toBe(409);
    expect(notDue.body.code).toBe('RETENTION_CHECK_NOT_DUE');

    world.clock.set(new Date('2026-04-10T02:00:00Z'));
    const month1 = await world.http('POST', path('ep-county', referralId, 'retention-checks'), key.county, {
      month: 1,
      retained: true,
    });
    expect(month1.status).toBe(200);

    // The 3-month check is not recorded: 14 days of grace after it fell due, it is overdue.
    world.clock.set(new Date(new Date('2026-06-08T16:00:00Z').getTime() + 13 * DAY));
    await holdsFor(
      async () => (await world.events(referralId, EVENTS.employmentRetentionOverdue.subject)).length === 0,
      400,
    );
    world.clock.set(new Date(new Date('2026-06-08T16:00:00Z').getTime() + 14 * DAY));
    // The sweeper and three more "replicas" sweep at once: the check fires exactly once.
    const retention = world.service.app.get(RetentionService);
    await Promise.all([retention.raiseOverdue(), retention.raiseOverdue(), retention.raiseOverdue()]);
    const overdue = await waitFor(async () => {
      const found = await world.events(referralId, EVENTS.employmentRetentionOverdue.subject);
      return found.length > 0 ? found : undefined;
    });
    await holdsFor(
      async () => (await world.events(referralId, EVENTS.employmentRetentionOverdue.subject)).length === 1,
      400,
    );
    expect(overdue[0].data).toMatchObject({
      providerId: 'ep-county',
      month: 3,
      dueAt: '2026-06-08T16:00:00.000Z',
    });
    const alerts = await world.events(referralId, EVENTS.opsAlertRaised.subject);
    expect(alerts.filter((a) => a.data.code === 'RETENTION_CHECK_OVERDUE')).toHaveLength(1);
    const view = await world.http('GET', path('ep-county', referralId), key.county);
    expect(view.body.retentionChecks.map((c: { overdue: boolean }) => c.overdue)).toEqual([
      false,
      true,
      false,
    ]);

    // Late, but recorded; then the 6-month check ends the referral and gives the place back.
    expect(
      (
        await world.http('POST', path('ep-county', referralId, 'retention-checks'), key.county, {
          month: 3,
          retained: true,
        })
      ).status,
    ).toBe(200);
    world.clock.set(new Date('2026-09-09T02:00:00Z'));
    const month6 = await world.http('POST', path('ep-county', referralId, 'retention-checks'), key.county, {
      month: 6,
      retained: true,
    });
    expect(month6.body).toMatchObject({
      status: 'ended',
      endReason: 'retention-completed',
      allowedActions: [],
    });
    expect(await world.reserved('ep-county')).toBe(0);
    const events = await world.events(referralId, 'employment.');
    const summary = EVENTS.employmentStageChanged.subject;
    expect(events.filter((e) => e.subject !== summary).map((e) => e.subject)).toEqual([
      'employment.referral.referred',
      'employment.referral.declined',
      'employment.referral.referred',
      'employment.referral.accepted',
      'employment.training.started',
      'employment.placed',
      'employment.retention.checked',
      'employment.retention.overdue',
      'employment.retention.checked',
      'employment.retention.checked',
      'employment.referral.ended',
    ]);
    // The site and the referring hospital hear each step, the overdue check included (ids and stages only).
    expect(
      events.filter((e) => e.subject === summary).map((e) => [e.data.stage, e.data.retentionMonth ?? null]),
    ).toEqual([
      ['referred', null],
      ['referred', null],
      ['accepted', null],
      ['training', null],
      ['placed', null],
      ['retention-checked', 1],
      ['retention-overdue', 3],
      ['retention-checked', 3],
      ['retention-checked', 6],
      ['ended', null],
    ]);
  });

  it('should stop at the hop limit: unplaced, with an ops alert', async () => {
    const referralId = await world.confirmReadiness(
      randomUUID(),
      ['sheltered-employment'],
      DIVISIONS.otherCountyCommittee,
    );
    await waitFor(async () => (await world.status(referralId)) === 'referred');
    const first = (await world.events(referralId, 'employment.referral.referred'))[0].data
      .providerId as string;
    const firstKey = {
      'ep-hanyin-a': key.otherCountyA,
      'ep-hanyin-b': key.otherCountyB,
      'ep-hanyin-c': key.otherCountyC,
    };
    await world.http('POST', path(first, referralId, 'decline'), firstKey[first as keyof typeof firstKey], {
      reasonCode: 'programme-unsuitable',
    });
    const second = (await world.events(referralId, 'employment.referral.referred'))[1].data
      .providerId as string;
    expect(second).not.toBe(first);
    await world.http('POST', path(second, referralId, 'decline'), firstKey[second as keyof typeof firstKey], {
      reasonCode: 'other',
      reasonText: '本人暂不愿意',
    });

    expect(await world.status(referralId)).toBe('unplaced');
    expect((await world.events(referralId, EVENTS.employmentReferralUnplaced.subject))[0].data).toMatchObject(
      {
        reason: 'hop-limit',
        hop: 3,
      },
    );
    const alerts = await world.events(referralId, EVENTS.opsAlertRaised.subject);
    expect(alerts.map((a) => a.data.code)).toEqual(['NO_EMPLOYMENT_PROVIDER']);
  });

  it('should leave a referral unplaced when no provider offers a wanted programme in the area', async () => {
    const referralId = await world.confirmReadiness(randomUUID(), ['job-placement']);
    await waitFor(async () => (await world.status(referralId)) === 'unplaced');
    expect((await world.events(referralId, EVENTS.employmentReferralUnplaced.subject))[0].data.reason).toBe(
      'no-provider',
    );
  });

  it('should refuse a decline without a reason code and a placement on a date that does not exist', async () => {
    const referralId = await world.confirmReadiness();
    await waitFor(async () => (await world.status(referralId)) === 'referred');
    const provider = (await world.events(referralId, 'employment.referral.referred'))[0].data
      .providerId as string;
    const providerKey = provider === 'ep-county' ? key.county : key.township;
    const bad = await world.http('POST', path(provider, referralId, 'decline'), providerKey, {});
    expect(bad.status).toBe(400);
    await world.http('POST', path(provider, referralId, 'accept'), providerKey);
    const badDate = await world.http('POST', path(provider, referralId, 'placement'), providerKey, {
      placementType: 'competitive',
      employerName: '某超市',
      startDate: '2026-02-30',
    });
    expect(badDate.status).toBe(400);
    expect(badDate.body.code).toBe('INVALID_START_DATE');
    // A real date, but years back or ahead: a typing slip, refused.
    for (const startDate of ['2020-01-01', '2031-01-01']) {
      const slip = await world.http('POST', path(provider, referralId, 'placement'), providerKey, {
        placementType: 'competitive',
        employerName: '某超市',
        startDate,
      });
      expect({ startDate, status: slip.status, code: slip.body.code }).toEqual({
        startDate,
        status: 400,
        code: 'INVALID_START_DATE',
      });
    }
    expect(await world.status(referralId)).toBe('accepted');
  });

  it('should report IPS measures to ops and to each provider for its own referrals only', async () => {
    const ops = await world.http('GET', '/v1/admin/employment-stats', world.adminToken);
    expect(ops.status).toBe(200);
    expect(ops.body).toMatchObject({
      referrals: 4,
      placed: 1,
      placedCompetitive: 0,
      competitiveShare: 0,
      medianDaysReadyToPlaced: 0,
      declineReasons: [
        { reason: 'no-capacity', count: 1 },
        { reason: 'other', count: 1 },
        { reason: 'programme-unsuitable', count: 1 },
      ],
      endReasons: [{ reason: 'retention-completed', count: 1 }],
      unplacedReasons: [
        { reason: 'hop-limit', count: 1 },
        { reason: 'no-provider', count: 1 },
      ],
    });
    expect(ops.body.retention).toEqual([
      { month: 1, checked: 1, retained: 1, overdue: 0 },
      { month: 3, checked: 1, retained: 1, overdue: 1 },
      { month: 6, checked: 1, retained: 1, overdue: 0 },
    ]);
    const county = await world.http('GET', '/v1/providers/ep-county/stats', key.county);
    expect(county.body).toMatchObject({
      referrals: 1,
      placed: 1,
      capacity: 2,
      declineReasons: [],
      unplacedReasons: [],
    });
    const township = await world.http('GET', '/v1/providers/ep-township/stats', key.township);
    expect(township.body).toMatchObject({ placed: 0, declineReasons: [{ reason: 'no-capacity', count: 1 }] });
    expect((await world.http('GET', '/v1/providers/ep-county/stats', key.township)).status).toBe(404);
    const one = await world.http('GET', '/v1/admin/employment-stats?providerId=ep-county', world.adminToken);
    expect(one.body).toMatchObject({ referrals: 1, placed: 1 });
  });

  it('should keep no clinical column in any table and send no clinical field in any response or event', async () => {
    const scan = await scanForClinicalData(world);
    expect(scan.found).toEqual([]);
    expect(scan.columns).toBeGreaterThan(40);
    expect(scan.responses).toBeGreaterThan(10);
    expect(scan.events).toBeGreaterThan(10);
    // The scan sees a clinical field when there is one.
    expect(clinicalFields({ items: [{ riskLevel: 1, note: 'F20.0' }] })).toEqual([
      '$.items[0].riskLevel',
      '$.items[0].note = F20.0',
    ]);
  });
});
