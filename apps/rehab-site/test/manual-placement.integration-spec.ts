import { EVENTS } from '@app/contracts';
import { opsHeaders, waitFor } from '@app/testing';
import { DIVISIONS, RehabSiteHarness, startRehabSiteHarness } from './harness';

describe('rehab-site manual placement by an ops admin', () => {
  let world: RehabSiteHarness;
  let waiting: string;

  const reserved = async (siteId: string): Promise<number> => {
    const [row] = await world.db.query<{ reserved: number }>(
      `SELECT reserved FROM ${world.schema}.site WHERE id = $1`,
      [siteId],
    );
    return Number(row.reserved);
  };
  const place = (referralId: string, siteId: string, token = world.adminToken) =>
    world.http('POST', `/v1/admin/referrals/${referralId}/placement`, token, { siteId });

  beforeAll(async () => {
    world = await startRehabSiteHarness();
    await world.createSite({
      id: 'mp-centre',
      level: 'county-centre',
      areaCodes: [DIVISIONS.county],
      capacity: 5,
    });
    await world.createSite({
      id: 'mp-full',
      level: 'community-station',
      areaCodes: [DIVISIONS.committee],
      capacity: 1,
    });
    // Fill mp-full with an ordinary referral.
    const filler = await world.register({ needs: ['day-care'] });
    await waitFor(async () => (await world.assignments(filler)).length === 1, { message: 'filler assigned' });
    expect(await world.assignments(filler)).toEqual(['mp-full']);
    // No site serves peer support: it waits at the county centre for manual placement.
    waiting = await world.register({ needs: ['peer-support'] });
    await waitFor(async () => (await world.assignments(waiting)).length === 1, {
      message: 'sent to the centre',
    });
    expect(await world.referral(waiting)).toMatchObject({
      site_id: 'mp-centre',
      needs_manual_placement: true,
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('should refuse a full site, an unknown site and a caller who is not an ops admin, and change nothing', async () => {
    const viewer = (await opsHeaders('ops-viewer')).authorization.slice('Bearer '.length);
    expect((await place(waiting, 'mp-full', viewer)).status).toBe(403);
    const full = await place(waiting, 'mp-full');
    expect(full.status).toBe(409);
    expect(full.body.code).toBe('TARGET_SITE_FULL');
    expect((await place(waiting, 'mp-nowhere')).body.code).toBe('TARGET_SITE_NOT_FOUND');
    expect(
      (await world.http('POST', `/v1/admin/referrals/${waiting}/placement`, world.adminToken, {})).status,
    ).toBe(400);
    expect(await reserved('mp-full')).toBe(1);
    expect(await world.referral(waiting)).toMatchObject({
      site_id: 'mp-centre',
      needs_manual_placement: true,
    });
  });

  it('should place it at a site with a free place, give the centre its place back and audit the ops user', async () => {
    await world.createSite({
      id: 'mp-free',
      level: 'street-site',
      areaCodes: [DIVISIONS.township],
      capacity: 1,
    });
    const centreBefore = await reserved('mp-centre');

    const placed = await place(waiting, 'mp-free');
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ referralId: waiting, siteId: 'mp-free', hop: 2, status: 'assigned' });
    expect(await world.referral(waiting)).toMatchObject({
      status: 'assigned',
      site_id: 'mp-free',
      needs_manual_placement: false,
      holds_place: true,
    });
    expect(await reserved('mp-free')).toBe(1);
    expect(await reserved('mp-centre')).toBe(centreBefore - 1);
    const assigned = await world.events(waiting, EVENTS.referralAssigned.subject);
    expect(assigned.map((e) => [e.data.siteId, e.data.needsManualPlacement])).toEqual([
      ['mp-centre', true],
      ['mp-free', false],
    ]);
    const revoked = await world.events(waiting, 'site.mp-centre.referral.revoked');
    expect(revoked.map((e) => e.data.reason)).toEqual(['placed-manually']);
    const audit = await world.db.query<{ subtype: string; agent_user_id: string }>(
      `SELECT subtype, agent_user_id FROM ${world.schema}.audit_event WHERE entity_id = $1 AND subtype = 'manual-placement'`,
      [waiting],
    );
    expect(audit).toEqual([{ subtype: 'manual-placement', agent_user_id: expect.stringMatching(/^ops:/) }]);

    // Placed: not again.
    expect((await place(waiting, 'mp-centre')).body.code).toBe('NOT_AWAITING_MANUAL_PLACEMENT');
  });
});
