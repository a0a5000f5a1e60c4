import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

const DAY = 24 * 3_600_000;

describe('rehab-site: the green channel (re-grading, readmission hold, back to the same site)', () => {
  let world: RehabSiteHarness;
  let key: string;

  const act = (referralId: string, action: string, body: unknown = {}) =>
    world.http('POST', `/v1/sites/a-station/referrals/${referralId}/${action}`, key, body);
  const assignedTo = async (referralId: string, count: number) => {
    await waitFor(async () => (await world.assignments(referralId)).length >= count, {
      message: `${count} assignment(s)`,
    });
    return world.assignments(referralId);
  };
  const reserved = async (siteId: string) =>
    (
      await world.db.query<{ reserved: number }>(`SELECT reserved FROM ${world.schema}.site WHERE id = $1`, [
        siteId,
      ])
    )[0].reserved;
  /** Registered, assigned to a-station and accepted. */
  const served = async (registered: Parameters<RehabSiteHarness['register']>[0] = {}) => {
    const id = await world.register(registered);
    expect(await assignedTo(id, 1)).toEqual(['a-station']);
    expect((await act(id, 'accept')).status).toBe(200);
    return id;
  };
  const readmit = (referralId: string) =>
    world.publish(
      EVENTS.greenReadmitted,
      {
        referralId,
        caseId: randomUUID(),
        hospitalId: 'ak-mental-health-centre',
        readmittedAt: world.clock.now().toISOString(),
      },
      referralId,
    );

  beforeAll(async () => {
    world = await startRehabSiteHarness({ placeHoldDays: 30, regradeFromRiskLevel: 3 });
    key = (
      await world.createSite({
        id: 'a-station',
        level: 'community-station',
        areaCodes: [DIVISIONS.committee],
        capacity: 20,
      })
    ).apiKey;
    await world.createSite({
      id: 'c-centre',
      level: 'county-centre',
      areaCodes: [DIVISIONS.county],
      capacity: 20,
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('should open a green-channel case from a periodic assessment at risk 3 or unstable, and not from a stable one', async () => {
    const id = await served();
    const at = world.clock.now().toISOString();
    const stable = await act(id, 'assessments', { assessedAt: at, riskLevel: 1, conditionStatus: 'stable' });
    expect(stable.body.status).toBe('accepted');
    const unstable = await act(id, 'assessments', {
      assessedAt: at,
      riskLevel: 2,
      conditionStatus: 'unstable',
    });
    expect(unstable.body).toMatchObject({ status: 'green-channel', allowedActions: ['close'] });
    expect((await world.events(id, EVENTS.greenRelapseReported.subject)).map((e) => e.data)).toEqual([
      expect.objectContaining({
        observedRiskLevel: 2,
        trigger: 'periodic-assessment',
        countyDivisionCode: DIVISIONS.county,
        siteId: 'a-station',
      }),
    ]);

    const other = await served();
    const high = await act(other, 'assessments', {
      assessedAt: at,
      riskLevel: 3,
      conditionStatus: 'basically-stable',
    });
    expect(high.body.status).toBe('green-channel');
  });

  it('should recompute the colour grade on every periodic assessment: risk 3 turns it red and opens a case, risk 1 stable lowers it and opens nothing', async () => {
    const at = world.clock.now().toISOString();
    /** The grade the site sees in its referral view. */
    const grade = async (referralId: string) => {
      const view = await world.http('GET', `/v1/sites/a-station/referrals/${referralId}`, key);
      expect(view.status).toBe(200);
      return (view.body as { colourGrade: string }).colourGrade;
    };

    const worse = await served({ riskLevel: 1, colourGrade: 'yellow' });
    const high = await act(worse, 'assessments', { assessedAt: at, riskLevel: 3, conditionStatus: 'stable' });
    expect(high.body.status).toBe('green-channel');
    expect(await grade(worse)).toBe('red');
    expect((await world.events(worse, EVENTS.greenRelapseReported.subject)).map((e) => e.data)).toEqual([
      expect.objectContaining({ observedRiskLevel: 3, trigger: 'periodic-assessment' }),
    ]);

    const calmer = await served({ riskLevel: 2, colourGrade: 'orange' });
    const low = await act(calmer, 'assessments', { assessedAt: at, riskLevel: 1, conditionStatus: 'stable' });
    expect(low.body.status).toBe('accepted');
    expect(await grade(calmer)).toBe('yellow');
    expect(await world.events(calmer, EVENTS.greenRelapseReported.subject)).toEqual([]);
    expect((await world.referral(calmer))?.status).toBe('accepted');
  });

  it('should hold the place on readmission and bring the resumed referral back to the same site', async () => {
    const id = await served();
    const before = await reserved('a-station');
    expect((await act(id, 'relapse', { observedRiskLevel: 4 })).body.status).toBe('green-channel');
    await readmit(id);
    await waitFor(async () => (await world.referral(id))?.status === 'on-hold', { message: 'on hold' });
    const held = (await world.referral(id))!;
    expect(held.holds_place).toBe(true);
    expect((held.place_held_until as Date).getTime()).toBe(world.clock.now().getTime() + 30 * DAY);
    expect(await reserved('a-station')).toBe(before);

    // Discharged again: registration resumes the same registration and publishes it again.
    await world.register({ referralId: id, riskLevel: 1 });
    expect(await assignedTo(id, 2)).toEqual(['a-station', 'a-station']);
    expect(await world.referral(id)).toMatchObject({ status: 'assigned', hop: 2, holds_place: true });
    expect(await reserved('a-station')).toBe(before); // the held place, not a second one
    // A redelivered registration changes nothing.
    await world.register({ referralId: id, riskLevel: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(await world.assignments(id)).toHaveLength(2);
    expect((await act(id, 'accept')).status).toBe(200);
  });

  it('should let the patient’s next referral (discharged again, from any hospital) take over the held place', async () => {
    const patientRef = randomUUID();
    const old = await world.register({ patientRef });
    expect(await assignedTo(old, 1)).toEqual(['a-station']);
    await act(old, 'accept');
    const before = await reserved('a-station');
    await act(old, 'relapse', { observedRiskLevel: 3 });
    await readmit(old);
    await waitFor(async () => (await world.referral(old))?.status === 'on-hold');

    const next = await world.register({ patientRef, previousSiteId: 'a-station' });
    expect(await assignedTo(next, 1)).toEqual(['a-station']);
    expect(await world.referral(next)).toMatchObject({ status: 'assigned', holds_place: true, hop: 1 });
    expect(await world.referral(old)).toMatchObject({ status: 'superseded', holds_place: false });
    expect(await reserved('a-station')).toBe(before);
    expect((await act(next, 'accept')).status).toBe(200);
  });

  it('should give the place back when the hold runs out, and still prefer the site when the patient returns', async () => {
    const id = await served();
    const before = await reserved('a-station');
    await act(id, 'relapse', { observedRiskLevel: 3 });
    await readmit(id);
    await waitFor(async () => (await world.referral(id))?.status === 'on-hold');
    world.clock.advance(30 * DAY + 1000);
    await waitFor(async () => (await world.referral(id))?.holds_place === false, {
      message: 'place given back',
    });
    expect(await reserved('a-station')).toBe(before - 1);

    await world.register({ referralId: id, riskLevel: 1 });
    expect(await assignedTo(id, 2)).toEqual(['a-station', 'a-station']);
    expect(await reserved('a-station')).toBe(before);
  });
});
