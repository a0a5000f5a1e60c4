import { EVENTS } from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';
import { waitFor } from '@app/testing';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

describe('rehab-site routing on referral.registered', () => {
  let world: RehabSiteHarness;

  beforeAll(async () => {
    world = await startRehabSiteHarness({}, 48);
  });

  afterAll(async () => {
    await world?.stop();
  });

  describe('site ladder', () => {
    beforeAll(async () => {
      await world.createSite({
        id: 'st-xidajie',
        level: 'community-station',
        areaCodes: [DIVISIONS.committee],
        capacity: 5,
      });
      await world.createSite({
        id: 'ss-laocheng',
        level: 'street-site',
        areaCodes: [DIVISIONS.township],
        services: ['day-care', 'life-skills', 'vocational-rehab'],
        capacity: 5,
      });
      await world.createSite({
        id: 'cc-hanbin',
        level: 'county-centre',
        areaCodes: [DIVISIONS.county],
        functions: ['assessment-referral', 'training-supervision', 'service-demonstration'],
        services: ['day-care', 'life-skills', 'counselling'],
        capacity: 5,
      });
    });

    it('should assign to the community station of the residence committee first', async () => {
      const id = await world.register({ needs: ['day-care'] });

      await waitFor(async () => (await world.assignments(id)).length === 1, { message: 'assigned' });
      expect(await world.assignments(id)).toEqual(['st-xidajie']);
      const [assigned] = await world.events(id, EVENTS.referralAssigned.subject);
      expect(assigned.data).toMatchObject({ hop: 1, needsManualPlacement: false });
      const referral = await world.referral(id);
      expect(referral).toMatchObject({ status: 'assigned', site_id: 'st-xidajie', holds_place: true });
      // The contact stays sealed at rest.
      expect(JSON.stringify(referral!.sealed_contact)).not.toContain('张三');
    });

    it('should fall back to the street site when the station does not offer a need', async () => {
      const id = await world.register({ needs: ['vocational-rehab'] });

      await waitFor(async () => (await world.assignments(id)).length === 1, { message: 'assigned' });
      expect(await world.assignments(id)).toEqual(['ss-laocheng']);
    });

    it('should route a resident of another committee past the station to the street site', async () => {
      const id = await world.register({
        residenceDivisionCode: DIVISIONS.otherCommittee,
        needs: ['life-skills'],
      });

      await waitFor(async () => (await world.assignments(id)).length === 1, { message: 'assigned' });
      expect(await world.assignments(id)).toEqual(['ss-laocheng']);
    });

    it('should prefer the previous site when it qualifies', async () => {
      const id = await world.register({ needs: ['life-skills'], previousSiteId: 'cc-hanbin' });

      await waitFor(async () => (await world.assignments(id)).length === 1, { message: 'assigned' });
      expect(await world.assignments(id)).toEqual(['cc-hanbin']);
    });

    it('should send a referral no site can serve to the county centre for manual placement, with an ops alert', async () => {
      const id = await world.register({ needs: ['peer-support'] });

      await waitFor(async () => (await world.assignments(id)).length === 1, { message: 'assigned' });
      const [assigned] = await world.events(id, EVENTS.referralAssigned.subject);
      expect(assigned.data).toMatchObject({ siteId: 'cc-hanbin', needsManualPlacement: true });
      const alerts = await world.events(id, EVENTS.opsAlertRaised.subject);
      expect(alerts.map((a) => a.data.code)).toEqual(['NEEDS_MANUAL_PLACEMENT']);
    });

    it('should not route a risk 3–5 referral at all, not even to the county centre, and alert ops', async () => {
      const id = await world.register({ riskLevel: 3, colourGrade: 'orange' });

      const [alert] = await waitFor(async () => {
        const found = await world.events(id, EVENTS.opsAlertRaised.subject);
        return found.length > 0 ? found : undefined;
      });
      expect(alert.data).toMatchObject({ code: 'UNSTABLE_REFERRAL_NOT_ROUTED' });
      expect(await world.assignments(id)).toEqual([]);
    });
  });

  describe('re-publication under another event id', () => {
    const reservedAt = async (siteId: string) =>
      (
        await world.db.query<{ reserved: number }>(
          `SELECT reserved FROM ${world.schema}.site WHERE id = $1`,
          [siteId],
        )
      )[0].reserved;

    beforeAll(async () => {
      await world.createSite({
        id: 'rp-station',
        level: 'community-station',
        areaCodes: [DIVISIONS.otherCommittee],
        services: ['family-support'],
        capacity: 50,
      });
    });

    it('should route a referral once and take one place however often it is published', async () => {
      const before = await reservedAt('rp-station');
      const referral = {
        residenceDivisionCode: DIVISIONS.otherCommittee,
        needs: ['family-support' as const],
      };
      const id = await world.register(referral);
      await waitFor(async () => (await world.assignments(id)).length === 1, { message: 'assigned' });
      // Once after it was routed, then twice at the same moment (the deliveries race for the insert).
      await world.register({ ...referral, referralId: id });
      await Promise.all([
        world.register({ ...referral, referralId: id }),
        world.register({ ...referral, referralId: id }),
      ]);
      const twin = await world.register(referral);
      await Promise.all([
        world.register({ ...referral, referralId: twin }),
        world.register({ ...referral, referralId: twin }),
      ]);
      await waitFor(async () => (await world.assignments(twin)).length === 1, { message: 'twin assigned' });
      await new Promise((r) => setTimeout(r, 1000));

      expect(await world.assignments(id)).toEqual(['rp-station']);
      expect(await world.assignments(twin)).toEqual(['rp-station']);
      expect(await reservedAt('rp-station')).toBe(before + 2);
    });
  });

  describe('capacity under concurrency', () => {
    const county = '610921'; // 汉阴县
    let township: string;
    let committee: string;

    beforeAll(async () => {
      const directory = await DivisionDirectory.load();
      township = directory.townshipsOf(county)[0].code;
      committee = (await DivisionDirectory.villagesUnder(township))[0].code;
      await world.createSite({
        id: 'cap-station',
        level: 'community-station',
        areaCodes: [committee],
        capacity: 10,
      });
      await world.createSite({ id: 'cap-street', level: 'street-site', areaCodes: [township], capacity: 15 });
      await world.createSite({ id: 'cap-centre', level: 'county-centre', areaCodes: [county], capacity: 25 });
    });

    it("should never exceed any site's capacity when 200 referrals arrive at once into 50 places", async () => {
      const ids = await Promise.all(
        Array.from({ length: 200 }, () =>
          world.register({ residenceDivisionCode: committee, needs: ['day-care'] }),
        ),
      );

      await waitFor(
        async () =>
          (await world.db.count(
            `SELECT count(*) FROM ${world.schema}.referral WHERE referral_id = ANY($1) AND status = 'assigned'`,
            [ids],
          )) === 200,
        { timeoutMs: 60_000, message: '200 routed' },
      );
      const perSite = await world.db.query<{
        id: string;
        capacity: number;
        reserved: number;
        held: string;
        total: string;
      }>(
        `SELECT s.id, s.capacity, s.reserved,
                count(r.*) FILTER (WHERE r.holds_place) AS held, count(r.*) AS total
           FROM ${world.schema}.site s
           LEFT JOIN ${world.schema}.referral r ON r.site_id = s.id AND r.referral_id = ANY($1)
          WHERE s.id LIKE 'cap-%' GROUP BY s.id ORDER BY s.id`,
        [ids],
      );
      for (const site of perSite) {
        expect(Number(site.held)).toBeLessThanOrEqual(site.capacity);
        expect(site.reserved).toBe(Number(site.held));
      }
      expect(perSite.map((s) => [s.id, Number(s.held)])).toEqual([
        ['cap-centre', 25],
        ['cap-station', 10],
        ['cap-street', 15],
      ]);
      // The other 150 wait at the county centre for manual placement, holding no place.
      const manual = await world.db.count(
        `SELECT count(*) FROM ${world.schema}.referral WHERE referral_id = ANY($1) AND needs_manual_placement AND NOT holds_place AND site_id = 'cap-centre'`,
        [ids],
      );
      expect(manual).toBe(150);
    });
  });
});
