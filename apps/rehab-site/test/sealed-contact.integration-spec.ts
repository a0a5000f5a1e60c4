import { randomUUID } from 'node:crypto';
import { EVENTS, referralSealContext, UNBOUND_SITE_CONTACT_CONTEXT } from '@app/contracts';
import { SECURITY_ALERT_CODE } from '@app/messaging';
import { deadLetterFor, holdsFor, opsAlertsIn, waitFor } from '@app/testing';
import { DIVISIONS, RehabSiteHarness, startRehabSiteHarness } from './harness';

/** The site contact in referral.registered is bound to its referral: a contact moved to another one is refused. */
describe('rehab-site: sealed contacts bound to their referral', () => {
  let world: RehabSiteHarness;
  let key: string;
  const SITE = 'seal-station';

  beforeAll(async () => {
    world = await startRehabSiteHarness();
    key = (await world.createSite({ id: SITE, level: 'community-station', areaCodes: [DIVISIONS.committee] }))
      .apiKey;
  });

  afterAll(async () => {
    await world?.stop();
  });

  const assigned = (referralId: string) =>
    waitFor(async () => (await world.assignments(referralId)).length > 0, { message: 'assigned' });
  const placesTaken = async () =>
    (await world.http('GET', `/v1/sites/${SITE}/referrals`, key)).body as { items: unknown[] };

  it('should route a referral whose contact opens for it, and show the contact to its site', async () => {
    const referralId = await world.register({}, { name: '李四', phone: '13900139000' });
    await assigned(referralId);
    const detail = await world.http('GET', `/v1/sites/${SITE}/referrals/${referralId}`, key);
    expect(detail).toMatchObject({ status: 200, body: { contact: { name: '李四', phone: '13900139000' } } });
  });

  it('should refuse a referral.registered carrying another referral’s contact: dead letter and security alert, nothing routed', async () => {
    const victim = randomUUID();
    const sniffed = world.cipher.sealJson({ name: '真实患者' }, referralSealContext('siteContact', victim));
    const before = (await placesTaken()).items.length;
    const forged = await world.register({ sealedContact: sniffed });

    const letter = await deadLetterFor(world.db, world.service.schema, forged);
    expect(letter).toMatchObject({
      error_code: 'SITE_CONTACT_SEAL_INVALID',
      event_type: EVENTS.referralRegistered.type,
    });
    expect(await opsAlertsIn(world.db, world.service.schema, SECURITY_ALERT_CODE)).toHaveLength(1);
    await holdsFor(async () => (await world.referral(forged)) === undefined, 500);
    expect(await world.assignments(forged)).toEqual([]);
    expect((await placesTaken()).items.length).toBe(before);
  });

  it('should still open a contact stored before contacts were bound (no binding marker, old context)', async () => {
    const referralId = await world.register({}, { name: '旧记录' });
    await assigned(referralId);
    const legacy = world.cipher.sealJson({ name: '旧记录' }, UNBOUND_SITE_CONTACT_CONTEXT);
    await world.db.query(`UPDATE ${world.schema}.referral SET sealed_contact = $2 WHERE referral_id = $1`, [
      referralId,
      JSON.stringify(legacy),
    ]);
    const detail = await world.http('GET', `/v1/sites/${SITE}/referrals/${referralId}`, key);
    expect(detail).toMatchObject({ status: 200, body: { contact: { name: '旧记录' } } });
  });
});
