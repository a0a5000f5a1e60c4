import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { holdsFor, waitFor } from '@app/testing';
import { DIVISIONS, RehabSiteHarness, startRehabSiteHarness } from './harness';

/** The one risk policy in the directory and in routing; withdrawals for referrals rehab-site never held. */
describe('rehab-site risk policy and early withdrawals', () => {
  let world: RehabSiteHarness;

  beforeAll(async () => {
    world = await startRehabSiteHarness();
    await world.createSite({
      id: 'rp-station',
      level: 'community-station',
      areaCodes: [DIVISIONS.committee],
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('should refuse a site directory entry taking risk above 2, on create and on update', async () => {
    const created = await world.http('POST', '/v1/admin/sites', world.adminToken, {
      id: 'rp-risky',
      name: 'rp-risky',
      level: 'street-site',
      areaCodes: [DIVISIONS.township],
      services: ['day-care'],
      capacity: 5,
      maxRiskLevel: 3,
    });
    const updated = await world.http('PATCH', '/v1/admin/sites/rp-station', world.adminToken, {
      maxRiskLevel: 5,
    });

    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain('maxRiskLevel must be at most 2');
    expect(updated.status).toBe(400);
    const [row] = await world.db.query<{ max_risk_level: number }>(
      `SELECT max_risk_level FROM ${world.schema}.site WHERE id = 'rp-station'`,
    );
    expect(row.max_risk_level).toBe(2);
    await expect(
      world.db.query(`UPDATE ${world.schema}.site SET max_risk_level = 3 WHERE id = 'rp-station'`),
    ).rejects.toThrow(/site_max_risk_level_community/);
  });

  it('should never route an unstable (risk 3–5) referral, and alert ops', async () => {
    const referralId = await world.register({ riskLevel: 3, colourGrade: 'green' });

    const [alert] = await waitFor(async () => {
      const found = await world.events(referralId, EVENTS.opsAlertRaised.subject);
      return found.length > 0 ? found : undefined;
    });
    expect(alert.data).toMatchObject({ code: 'UNSTABLE_REFERRAL_NOT_ROUTED', severity: 'critical' });
    expect(await world.assignments(referralId)).toEqual([]);
    expect(await world.referral(referralId)).toBeUndefined();
  });

  it('should acknowledge a withdrawal for a referral it never held, and never route that referral later', async () => {
    const referralId = randomUUID();
    await world.withdrawConsent(referralId);

    await waitFor(async () => {
      const rows = await world.db.query(
        `SELECT 1 FROM ${world.schema}.early_withdrawal WHERE referral_id = $1`,
        [referralId],
      );
      return rows.length === 1;
    });

    // Its registration arrives late (delivered after the withdrawal): not routed, not kept.
    await world.register({ referralId });
    const after = await world.register();
    await waitFor(async () => (await world.assignments(after)).length === 1);
    await holdsFor(async () => (await world.assignments(referralId)).length === 0, 500);
    expect(await world.referral(referralId)).toBeUndefined();
  });
});
