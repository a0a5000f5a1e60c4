import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import { clinicalFields, scanForClinicalData } from './clinical-scan';
import { DIVISIONS, EmploymentHarness, startEmploymentHarness } from './harness';

describe('employment-referral: a provider sees only its own referrals; relapse pauses, withdrawal ends', () => {
  let world: EmploymentHarness;
  let keyA: string;
  let keyB: string;
  let referralA: string;
  let referralB: string;
  const path = (provider: string, referralId: string, action = '') =>
    `/v1/providers/${provider}/referrals/${referralId}${action ? `/${action}` : ''}`;

  beforeAll(async () => {
    world = await startEmploymentHarness({ pageLimitMax: 2 });
    keyA = await world.createProvider({
      id: 'ep-a',
      areaCodes: [DIVISIONS.county],
      programmes: ['supported-employment'],
    });
    keyB = await world.createProvider({
      id: 'ep-b',
      areaCodes: [DIVISIONS.otherCounty],
      programmes: ['supported-employment'],
    });
    referralA = await world.confirmReadiness();
    referralB = await world.confirmReadiness(
      randomUUID(),
      ['supported-employment'],
      DIVISIONS.otherCountyCommittee,
    );
    await waitFor(
      async () =>
        (await world.status(referralA)) === 'referred' && (await world.status(referralB)) === 'referred',
    );
  });

  afterAll(() => world.stop());

  it("should answer 404 to provider A for B's referral on every route, and list only A's own", async () => {
    expect((await world.http('GET', path('ep-a', referralB), keyA)).status).toBe(404);
    for (const [action, body] of [
      ['accept', undefined],
      ['decline', { reasonCode: 'no-capacity' }],
      ['training', { programme: 'vocational-training' }],
      ['placement', { placementType: 'competitive', employerName: 'x', startDate: '2026-03-09' }],
      ['retention-checks', { month: 1, retained: true }],
      ['end', { reason: 'other' }],
    ] as const) {
      const answer = await world.http('POST', path('ep-a', referralB, action), keyA, body);
      expect([action, answer.status, answer.body.code]).toEqual([action, 404, 'REFERRAL_NOT_FOUND']);
    }
    // B's own path with A's key: as if B did not exist.
    expect((await world.http('GET', `/v1/providers/ep-b/referrals`, keyA)).status).toBe(404);
    expect((await world.http('GET', path('ep-b', referralB), keyA)).status).toBe(404);
    const listA = await world.http('GET', '/v1/providers/ep-a/referrals', keyA);
    expect(listA.body.items.map((r: { referralId: string }) => r.referralId)).toEqual([referralA]);
    expect(await world.status(referralB)).toBe('referred');
    // And the other way round.
    expect((await world.http('GET', path('ep-b', referralB), keyB)).status).toBe(200);
    expect((await world.http('GET', path('ep-b', referralA), keyB)).status).toBe(404);
    const listB = await world.http('GET', '/v1/providers/ep-b/referrals', keyB);
    expect(listB.body.items.map((r: { referralId: string }) => r.referralId)).toEqual([referralB]);
  });

  it("should put each notice on its own provider's subject only", async () => {
    const subjects = [
      ...(await world.events(referralA, 'provider.')),
      ...(await world.events(referralB, 'provider.')),
    ].map((e) => [e.subject, e.data.referralId]);
    expect(subjects).toEqual([
      ['provider.ep-a.referral.offered', referralA],
      ['provider.ep-b.referral.offered', referralB],
    ]);
  });

  it('should page with an opaque cursor and refuse a forged one', async () => {
    const more = [await world.confirmReadiness(), await world.confirmReadiness()];
    await waitFor(async () =>
      (await Promise.all(more.map((r) => world.status(r)))).every((s) => s === 'referred'),
    );
    const tooMany = await world.http('GET', '/v1/providers/ep-a/referrals?limit=50', keyA);
    expect([tooMany.status, tooMany.body.code]).toEqual([400, 'VALIDATION_FAILED']); // above PROVIDER_PAGE_LIMIT_MAX
    const first = await world.http('GET', '/v1/providers/ep-a/referrals', keyA);
    expect(first.body.items).toHaveLength(2); // the default page, within PROVIDER_PAGE_LIMIT_MAX
    const second = await world.http(
      'GET',
      `/v1/providers/ep-a/referrals?cursor=${first.body.nextCursor}`,
      keyA,
    );
    const seen = [...first.body.items, ...second.body.items].map((r: { referralId: string }) => r.referralId);
    expect(new Set(seen)).toEqual(new Set([referralA, ...more]));
    const forged = await world.http('GET', '/v1/providers/ep-a/referrals?cursor=AAAA', keyA);
    expect([forged.status, forged.body.code]).toEqual([400, 'INVALID_CURSOR']);
  });

  it('should pause on a relapse (no provider action) and resume where it stood when readiness is confirmed again', async () => {
    expect((await world.http('POST', path('ep-a', referralA, 'accept'), keyA)).status).toBe(200);
    await world.reportRelapse(referralA);
    await waitFor(async () => (await world.status(referralA)) === 'paused', { message: 'paused' });
    const refused = await world.http('POST', path('ep-a', referralA, 'training'), keyA, {
      programme: 'vocational-training',
    });
    expect([refused.status, refused.body.code, refused.body.allowedActions]).toEqual([
      409,
      'ILLEGAL_TRANSITION',
      [],
    ]);
    expect(await world.reserved('ep-a')).toBe(3); // the place is kept while paused

    world.clock.advance(60_000); // readiness confirmed again, after the relapse
    await world.confirmReadiness(referralA);
    await waitFor(async () => (await world.status(referralA)) === 'accepted', { message: 'resumed' });
    expect((await world.events(referralA, 'employment.referral.')).map((e) => e.subject)).toEqual([
      'employment.referral.referred',
      'employment.referral.accepted',
      'employment.referral.paused',
      'employment.referral.resumed',
    ]);
  });

  it("should end on employment consent withdrawal and take the provider's access away", async () => {
    await world.withdrawConsent(referralA, 'employment');
    await waitFor(async () => (await world.status(referralA)) === 'ended', { message: 'ended' });
    expect((await world.http('GET', path('ep-a', referralA), keyA)).status).toBe(404);
    const list = await world.http('GET', '/v1/providers/ep-a/referrals?limit=2', keyA);
    const next = await world.http(
      'GET',
      `/v1/providers/ep-a/referrals?cursor=${list.body.nextCursor ?? ''}`,
      keyA,
    );
    const listed = [...list.body.items, ...(next.body.items ?? [])].map(
      (r: { referralId: string }) => r.referralId,
    );
    expect(listed).not.toContain(referralA);
    expect(await world.reserved('ep-a')).toBe(2);
    expect((await world.events(referralA, 'provider.ep-a.referral.revoked'))[0].data.reason).toBe(
      'consent-withdrawn',
    );
    expect((await world.events(referralA, EVENTS.employmentReferralEnded.subject))[0].data.reason).toBe(
      'consent-withdrawn',
    );
    // Row-level security agrees: as provider A, the database itself shows nothing.
    const [{ n }] = await world.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${world.schema}.employment_referral WHERE referral_id = $1 AND NOT access_revoked`,
      [referralA],
    );
    expect(n).toBe(0);
  });

  it('should never open a referral whose consent was withdrawn before its readiness arrived, nor on other purposes', async () => {
    const late = randomUUID();
    await world.withdrawConsent(late, 'community-rehab');
    const other = await world.confirmReadiness();
    await waitFor(async () => (await world.status(other)) === 'referred');
    await world.withdrawConsent(other, 'information-sharing');
    await world.confirmReadiness(late);
    const marker = await world.confirmReadiness();
    await waitFor(async () => (await world.status(marker)) !== undefined);
    expect(await world.status(late)).toBeUndefined();
    expect(await world.status(other)).toBe('referred');
  });

  it('should keep no clinical column in any table and send no clinical field in any response or event', async () => {
    await world.http('GET', '/v1/admin/providers', world.adminToken);
    await world.http('GET', '/v1/admin/providers/ep-a', world.adminToken);
    const scan = await scanForClinicalData(world);
    expect(scan.found).toEqual([]);
    expect(scan.columns).toBeGreaterThan(40);
    expect(scan.rows).toBeGreaterThan(20);
    expect(scan.responses).toBeGreaterThan(10);
    expect(scan.events).toBeGreaterThan(10);
    // The scan sees a clinical field when there is one.
    expect(clinicalFields({ items: [{ riskLevel: 1, note: 'F20.0' }] })).toEqual([
      '$.items[0].riskLevel',
      '$.items[0].note = F20.0',
    ]);
  });
});
