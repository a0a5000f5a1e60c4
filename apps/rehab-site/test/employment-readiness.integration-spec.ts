import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import { DIVISIONS, RehabSiteHarness, startRehabSiteHarness } from './harness';

/** The employment readiness gate: registration's employment consent, a stable latest assessment, willingness. */
describe('rehab-site employment readiness gate', () => {
  let world: RehabSiteHarness;
  let key: string;
  const EMPLOYMENT = [{ purpose: 'employment' as const }];

  const act = (referralId: string, action: string, body: unknown = {}) =>
    world.http('POST', `/v1/sites/ready-station/referrals/${referralId}/${action}`, key, body);
  const accepted = async (overrides: Parameters<RehabSiteHarness['register']>[0] = {}) => {
    const referralId = await world.register(overrides);
    await waitFor(async () => (await world.assignments(referralId)).length === 1, { message: 'assigned' });
    expect((await act(referralId, 'accept')).status).toBe(200);
    // Assessments are dated up to 48 h back, and a record is never dated before the acceptance.
    world.clock.advance(72 * 3_600_000);
    return referralId;
  };
  const readinessEvents = async (referralId: string) =>
    (await world.events(referralId, EVENTS.employmentReadinessConfirmed.subject)).map((e) => e.data);
  const assess = (referralId: string, riskLevel: number, conditionStatus: string, hoursAgo: number) =>
    act(referralId, 'assessments', {
      assessedAt: new Date(world.clock.now().getTime() - hoursAgo * 3_600_000).toISOString(),
      riskLevel,
      conditionStatus,
    });

  beforeAll(async () => {
    world = await startRehabSiteHarness({ employmentMaxRiskLevel: 1 });
    key = (
      await world.createSite({
        id: 'ready-station',
        level: 'community-station',
        areaCodes: [DIVISIONS.committee],
      })
    ).apiKey;
  });

  afterAll(() => world?.stop());

  it('should confirm a willing patient with an employment consent and a stable latest assessment', async () => {
    const referralId = await accepted({ validConsents: EMPLOYMENT, riskLevel: 1 });
    const ready = await act(referralId, 'employment-readiness', {
      willing: true,
      programmes: ['job-placement'],
    });
    expect(ready.status).toBe(200);
    expect(await readinessEvents(referralId)).toEqual([
      expect.objectContaining({
        referralId,
        siteId: 'ready-station',
        residenceDivisionCode: DIVISIONS.committee,
        programmes: ['job-placement'],
      }),
    ]);
  });

  it('should refuse without an employment consent held by registration, and say so', async () => {
    const referralId = await accepted({ validConsents: [{ purpose: 'community-rehab' }] });
    const refused = await act(referralId, 'employment-readiness', { willing: true });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'EMPLOYMENT_NOT_READY',
      failedConditions: [{ condition: 'employment-consent' }],
    });
    expect(await readinessEvents(referralId)).toEqual([]);
  });

  it('should refuse an expired employment consent', async () => {
    const referralId = await accepted({
      validConsents: [
        { purpose: 'employment', expiresAt: new Date(world.clock.now().getTime() - 1000).toISOString() },
      ],
    });
    const refused = await act(referralId, 'employment-readiness', { willing: true });
    expect(refused.body.failedConditions).toEqual([
      { condition: 'employment-consent', detail: expect.stringContaining('expired') as string },
    ]);
  });

  it('should judge the latest assessment: a riskier one refuses even after a stable one, stable again passes', async () => {
    // Risk 2 stays below GREEN_REGRADE_FROM_RISK_LEVEL (3): the referral stays with the site, but is not ready.
    const referralId = await accepted({ validConsents: EMPLOYMENT, riskLevel: 0 });
    expect((await assess(referralId, 0, 'stable', 48)).status).toBe(200);
    expect((await assess(referralId, 2, 'basically-stable', 2)).status).toBe(200);
    const refused = await act(referralId, 'employment-readiness', { willing: true });
    expect(refused.status).toBe(422);
    expect(refused.body.failedConditions).toEqual([
      { condition: 'stable-assessment', detail: expect.stringContaining('risk level 2, above 1') as string },
    ]);
    expect((await assess(referralId, 1, 'stable', 0)).status).toBe(200);
    expect((await act(referralId, 'employment-readiness', { willing: true })).status).toBe(200);
    expect(await readinessEvents(referralId)).toHaveLength(1);
  });

  it('should fall back to the discharge assessment before any periodic one', async () => {
    const referralId = await accepted({ validConsents: EMPLOYMENT, riskLevel: 2 });
    const refused = await act(referralId, 'employment-readiness', { willing: true });
    expect(refused.body.failedConditions).toEqual([
      { condition: 'stable-assessment', detail: expect.stringContaining('discharge assessment') as string },
    ]);
  });

  it('should refuse an unwilling patient, naming every failed condition at once', async () => {
    const referralId = await accepted({ riskLevel: 2 });
    const refused = await act(referralId, 'employment-readiness', { willing: false });
    expect(refused.body.failedConditions.map((f: { condition: string }) => f.condition)).toEqual([
      'employment-consent',
      'stable-assessment',
      'willingness',
    ]);
  });

  it('should refuse once registration reports the employment consent withdrawn', async () => {
    const referralId = await accepted({ validConsents: EMPLOYMENT });
    await world.withdrawConsent(referralId, randomUUID(), 'employment');
    await waitFor(
      async () =>
        (await world.db.count(
          `SELECT count(*) FROM ${world.schema}.referral_consent WHERE referral_id = $1`,
          [referralId],
        )) === 0,
      { message: 'employment consent removed' },
    );
    const refused = await act(referralId, 'employment-readiness', { willing: true });
    expect([refused.status, refused.body.failedConditions[0].condition]).toEqual([422, 'employment-consent']);
    expect(await readinessEvents(referralId)).toEqual([]);
    const refer = await world.referral(referralId);
    expect(refer?.status).toBe('accepted'); // the rehab referral itself goes on
  });
});
