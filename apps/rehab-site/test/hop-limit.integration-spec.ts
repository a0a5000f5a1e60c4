import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

describe('rehab-site hop limit', () => {
  let world: RehabSiteHarness;
  let stationKey: string;

  beforeAll(async () => {
    world = await startRehabSiteHarness({ maxHops: 1 });
    stationKey = (
      await world.createSite({
        id: 'h-station',
        level: 'community-station',
        areaCodes: [DIVISIONS.committee],
      })
    ).apiKey;
    await world.createSite({ id: 'h-street', level: 'street-site', areaCodes: [DIVISIONS.township] });
    await world.createSite({ id: 'h-centre', level: 'county-centre', areaCodes: [DIVISIONS.county] });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('should send a declined referral past the hop limit to the county centre for manual placement', async () => {
    const id = await world.register();
    await waitFor(async () => (await world.assignments(id)).length === 1, { message: 'assigned' });

    const declined = await world.http('POST', `/v1/sites/h-station/referrals/${id}/decline`, stationKey, {
      reasonCode: 'patient-unreachable',
    });

    expect(declined.status).toBe(200);
    expect(await world.assignments(id)).toEqual(['h-station', 'h-centre']);
    const [, second] = await world.events(id, EVENTS.referralAssigned.subject);
    expect(second.data).toMatchObject({ hop: 2, needsManualPlacement: true });
    expect((await world.events(id, EVENTS.opsAlertRaised.subject)).map((e) => e.data.code)).toEqual([
      'NEEDS_MANUAL_PLACEMENT',
    ]);
  });
});
