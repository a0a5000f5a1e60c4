import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

/** A site's public front desk: kept by the directory, announced with referral.assigned on every routing path. */
describe('rehab-site site contact (address and phone)', () => {
  let world: RehabSiteHarness;
  const keys: Record<string, string> = {};

  const CONTACTS = {
    'a-station': {
      contactAddress: '陕西省安康市汉滨区老城街道西大街社区党群服务中心',
      contactPhone: '0915-3212345',
    },
    'b-street': { contactAddress: '陕西省安康市汉滨区老城街道综合便民服务中心', contactPhone: '13991512345' },
    'c-centre': { contactAddress: '陕西省安康市汉滨区社会福利服务中心一楼', contactPhone: '0915-88123456' },
  } as const;

  const assignedEvents = async (referralId: string, count: number) =>
    waitFor(
      async () => {
        const found = await world.events(referralId, EVENTS.referralAssigned.subject);
        return found.length >= count ? found : undefined;
      },
      { message: `${count} assignment(s)`, timeoutMs: 30_000 },
    );

  beforeAll(async () => {
    world = await startRehabSiteHarness({ maxHops: 5 });
    for (const site of [
      { id: 'a-station' as const, level: 'community-station' as const, areaCodes: [DIVISIONS.committee] },
      { id: 'b-street' as const, level: 'street-site' as const, areaCodes: [DIVISIONS.township] },
      { id: 'c-centre' as const, level: 'county-centre' as const, areaCodes: [DIVISIONS.county] },
    ]) {
      keys[site.id] = (await world.createSite({ ...site, ...CONTACTS[site.id], capacity: 20 })).apiKey;
    }
    // A station of another committee with no contact in the directory.
    await world.createSite({
      id: 'd-station',
      level: 'community-station',
      areaCodes: [DIVISIONS.otherCommittee],
      capacity: 20,
    });
  });

  afterAll(async () => {
    await world?.stop();
  });

  describe('admin API', () => {
    it('should show, change and clear the contact, and keep it on a patch that does not name it', async () => {
      expect((await world.http('GET', '/v1/admin/sites/a-station', world.adminToken)).body).toMatchObject(
        CONTACTS['a-station'],
      );
      const changed = await world.http('PATCH', '/v1/admin/sites/d-station', world.adminToken, {
        contactPhone: '029-87654321',
      });
      expect(changed).toMatchObject({
        status: 200,
        body: { site: { contactAddress: null, contactPhone: '029-87654321' } },
      });
      await world.http('PATCH', '/v1/admin/sites/d-station', world.adminToken, { capacity: 21 });
      expect((await world.http('GET', '/v1/admin/sites/d-station', world.adminToken)).body).toMatchObject({
        capacity: 21,
        contactPhone: '029-87654321',
      });
      const cleared = await world.http('PATCH', '/v1/admin/sites/d-station', world.adminToken, {
        contactPhone: null,
      });
      expect(cleared).toMatchObject({ status: 200, body: { site: { contactPhone: null } } });
    });

    it('should set a webhook with a new secret, keep it on a patch that does not name it, and remove it with null', async () => {
      const set = await world.http('PATCH', '/v1/admin/sites/d-station', world.adminToken, {
        webhookUrl: 'https://site.example.cn/hooks/referrals',
      });
      expect(set).toMatchObject({
        status: 200,
        body: {
          site: { webhookUrl: 'https://site.example.cn/hooks/referrals' },
          webhookSecret: expect.any(String),
        },
      });
      await world.http('PATCH', '/v1/admin/sites/d-station', world.adminToken, { capacity: 22 });
      expect((await world.http('GET', '/v1/admin/sites/d-station', world.adminToken)).body).toMatchObject({
        webhookUrl: 'https://site.example.cn/hooks/referrals',
      });
      const secretOf = () =>
        world.db.query<{ webhook_secret: unknown }>(
          `SELECT webhook_secret FROM ${world.schema}.site WHERE id = 'd-station'`,
        );
      expect((await secretOf())[0].webhook_secret).not.toBeNull();

      // Before: answered 200 and kept the webhook (the update coalesced null away).
      const removed = await world.http('PATCH', '/v1/admin/sites/d-station', world.adminToken, {
        webhookUrl: null,
      });
      expect(removed).toMatchObject({ status: 200, body: { site: { webhookUrl: null } } });
      expect((removed.body as Record<string, unknown>).webhookSecret).toBeUndefined();
      expect((await secretOf())[0].webhook_secret).toBeNull();
    });

    it.each([
      ['a landline without area code', { contactPhone: '3212345' }],
      ['a number with letters', { contactPhone: '0915-32123ab' }],
      ['a mobile number of 10 digits', { contactPhone: '1399151234' }],
      ['a mobile number not starting 13–19', { contactPhone: '12991512345' }],
      ['an empty address', { contactAddress: '' }],
      ['an address over 200 characters', { contactAddress: '路'.repeat(201) }],
    ])('should refuse %s with 400 and store nothing', async (_, contact) => {
      const created = await world.http('POST', '/v1/admin/sites', world.adminToken, {
        id: 'e-refused',
        name: 'e-refused',
        level: 'community-station',
        areaCodes: [DIVISIONS.otherCommittee],
        services: ['day-care'],
        capacity: 1,
        ...contact,
      });
      expect(created.status).toBe(400);
      expect(JSON.stringify(created.body)).toMatch(/contact(Phone|Address)/);
      expect((await world.http('GET', '/v1/admin/sites/e-refused', world.adminToken)).status).toBe(404);

      const patched = await world.http('PATCH', '/v1/admin/sites/a-station', world.adminToken, contact);
      expect(patched.status).toBe(400);
      expect((await world.http('GET', '/v1/admin/sites/a-station', world.adminToken)).body).toMatchObject(
        CONTACTS['a-station'],
      );
    });
  });

  describe('referral.assigned', () => {
    it('should carry the contact of the site on first routing and on re-routing after a decline', async () => {
      const id = await world.register({ needs: ['day-care'] });
      const [first] = await assignedEvents(id, 1);
      expect(first.data).toMatchObject({
        siteId: 'a-station',
        siteAddress: CONTACTS['a-station'].contactAddress,
        sitePhone: CONTACTS['a-station'].contactPhone,
      });

      const declined = await world.http(
        'POST',
        `/v1/sites/a-station/referrals/${id}/decline`,
        keys['a-station'],
        {
          reasonCode: 'no-capacity',
        },
      );
      expect(declined.status).toBe(200);
      const [, second] = await assignedEvents(id, 2);
      expect(second.data).toMatchObject({
        siteId: 'b-street',
        siteAddress: CONTACTS['b-street'].contactAddress,
        sitePhone: CONTACTS['b-street'].contactPhone,
      });
    });

    it('should carry the county centre contact on a manual placement', async () => {
      const id = await world.register({ needs: ['peer-support'] });
      const [assigned] = await assignedEvents(id, 1);
      expect(assigned.data).toMatchObject({
        siteId: 'c-centre',
        needsManualPlacement: true,
        siteAddress: CONTACTS['c-centre'].contactAddress,
        sitePhone: CONTACTS['c-centre'].contactPhone,
      });
    });

    it('should leave them out for a site without a contact', async () => {
      const id = await world.register({ residenceDivisionCode: DIVISIONS.otherCommittee });
      const [assigned] = await assignedEvents(id, 1);
      expect(assigned.data.siteId).toBe('d-station');
      expect(assigned.data).not.toHaveProperty('siteAddress');
      expect(assigned.data).not.toHaveProperty('sitePhone');
    });
  });
});
