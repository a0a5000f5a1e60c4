import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { waitFor, webhookReceiver, WebhookReceiver } from '@app/testing';
import { SIGNATURE_HEADER, verifySignature } from '@app/webhooks';
import { scanForClinicalData } from './clinical-scan';
import { DIVISIONS, EmploymentHarness, startEmploymentHarness } from './harness';

const HOUR = 3_600_000;

/**
 * Readmission, relapse heard before readiness, re-opening by a newer readiness, providers' signed webhooks,
 * the stage summaries for the site and the hospital, and the IPS measures.
 */
describe('employment-referral: episodes, relapses out of order, provider webhooks, IPS measures', () => {
  let world: EmploymentHarness;
  let keyA: string;
  let keyB: string;
  let secretA: string;
  let secretB: string;
  let hookA: WebhookReceiver;
  let hookB: WebhookReceiver;
  const path = (provider: string, referralId: string, action = '') =>
    `/v1/providers/${provider}/referrals/${referralId}${action ? `/${action}` : ''}`;
  const stages = async (referralId: string) =>
    (await world.events(referralId, EVENTS.employmentStageChanged.subject)).map((e) => e.data.stage);

  beforeAll(async () => {
    hookA = await webhookReceiver();
    hookB = await webhookReceiver();
    world = await startEmploymentHarness({ webhooks: { pollIntervalMs: 50, maxAttempts: 5, backoffMs: 50 } });
    const a = await world.createProviderAnswer({
      id: 'ep-a',
      areaCodes: [DIVISIONS.county],
      programmes: ['supported-employment', 'vocational-training'],
      capacity: 50,
      webhookUrl: hookA.url,
    });
    const b = await world.createProviderAnswer({
      id: 'ep-b',
      areaCodes: [DIVISIONS.otherCounty],
      programmes: ['supported-employment'],
      webhookUrl: hookB.url,
    });
    [keyA, secretA, keyB, secretB] = [a.apiKey, a.webhookSecret!, b.apiKey, b.webhookSecret!];
  });

  afterAll(async () => {
    await world.stop();
    await hookA.close();
    await hookB.close();
  });

  it('should pause on a readmission (green.readmitted) and resume on a readiness confirmed after it', async () => {
    const referral = await world.confirmReadiness();
    await waitFor(async () => (await world.status(referral)) === 'referred', { message: 'referred' });
    world.clock.advance(HOUR);
    await world.reportReadmission(referral);
    await waitFor(async () => (await world.status(referral)) === 'paused', { message: 'paused' });
    const [paused] = await world.events(referral, EVENTS.employmentReferralPaused.subject);
    expect(paused.data).toMatchObject({ providerId: 'ep-a', cause: 'readmission' });

    // A confirmation from before the readmission (arriving late) changes nothing.
    await world.confirmReadiness(
      referral,
      undefined,
      undefined,
      new Date(world.clock.now().getTime() - HOUR / 2),
    );
    world.clock.advance(HOUR);
    await world.confirmReadiness(referral);
    await waitFor(async () => (await world.status(referral)) === 'referred', { message: 'resumed' });
    expect((await world.events(referral, EVENTS.employmentReferralResumed.subject)).length).toBe(1);
    expect(await stages(referral)).toEqual(['referred', 'paused', 'resumed']);
  });

  it('should open a referral paused when a relapse after its confirmation was heard first, and route it on a newer readiness', async () => {
    const referral = randomUUID();
    const confirmedAt = world.clock.now();
    world.clock.advance(HOUR);
    await world.reportRelapse(referral); // before any readiness arrived
    const marker = await world.confirmReadiness();
    await waitFor(async () => (await world.status(marker)) === 'referred');
    await world.confirmReadiness(referral, undefined, undefined, confirmedAt); // the earlier readiness, late
    await waitFor(async () => (await world.status(referral)) === 'paused', { message: 'opened paused' });
    expect(await world.events(referral, 'provider.')).toEqual([]); // no provider was offered it
    expect(await world.reserved('ep-a')).toBe(2); // the referral above and the marker

    world.clock.advance(HOUR);
    await world.confirmReadiness(referral);
    await waitFor(async () => (await world.status(referral)) === 'referred', { message: 'routed' });
    expect((await world.events(referral, 'provider.')).map((e) => e.subject)).toEqual([
      'provider.ep-a.referral.offered',
    ]);
    expect(await stages(referral)).toEqual(['paused', 'resumed', 'referred']);
  });

  it('should re-open an ended and an unplaced referral on a newer readiness confirmation', async () => {
    const ended = await world.confirmReadiness();
    await waitFor(async () => (await world.status(ended)) === 'referred');
    expect((await world.http('POST', path('ep-a', ended, 'accept'), keyA, {})).status).toBe(200);
    expect(
      (await world.http('POST', path('ep-a', ended, 'end'), keyA, { reason: 'patient-declined' })).status,
    ).toBe(200);
    const unplaced = await world.confirmReadiness(randomUUID(), ['sheltered-employment']);
    await waitFor(async () => (await world.status(unplaced)) === 'unplaced');

    world.clock.advance(HOUR);
    await world.confirmReadiness(ended);
    await world.confirmReadiness(unplaced, ['supported-employment']);
    await waitFor(async () => (await world.status(ended)) === 'referred', { message: 'ended re-opened' });
    await waitFor(async () => (await world.status(unplaced)) === 'referred', {
      message: 'unplaced re-opened',
    });
    const view = await world.http('GET', path('ep-a', ended), keyA);
    expect(view.body).toMatchObject({ status: 'referred', hop: 1, endedAt: null, endReason: null });
    expect(await stages(ended)).toEqual(['referred', 'accepted', 'ended', 'referred']);
  });

  it("should send each provider's notices as signed webhooks to its own endpoint only, and the revocation too", async () => {
    const forA = await world.confirmReadiness();
    const forB = await world.confirmReadiness(randomUUID(), undefined, DIVISIONS.otherCountyCommittee);
    await waitFor(
      () =>
        hookA.received.some((h) => h.body.includes(forA)) &&
        hookB.received.some((h) => h.body.includes(forB)),
      { message: 'webhooks delivered', timeoutMs: 30_000 },
    );
    for (const [hook, secret] of [
      [hookA, secretA],
      [hookB, secretB],
    ] as const) {
      for (const h of hook.received) {
        expect(verifySignature(h.body, secret, h.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe(
          true,
        );
      }
    }
    // A's endpoint never hears of B's referral, nor B's of A's; B's secret does not sign A's notices.
    expect(hookA.received.some((h) => h.body.includes(forB))).toBe(false);
    expect(hookB.received.some((h) => h.body.includes(forA))).toBe(false);
    const toA = hookA.received.find((h) => h.body.includes(forA))!;
    expect(verifySignature(toA.body, secretB, toA.headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe(
      false,
    );
    expect(JSON.parse(toA.body)).toMatchObject({
      type: EVENTS.providerReferralOffered.type,
      subject: forA,
      data: { referralId: forA, providerId: 'ep-a' },
    });
    // B's key cannot read A's referral over HTTP either.
    expect((await world.http('GET', path('ep-b', forA), keyB)).status).toBe(404);

    await world.withdrawConsent(forA, 'employment');
    await waitFor(
      () => hookA.received.some((h) => h.body.includes('referral.revoked') && h.body.includes(forA)),
      {
        message: 'revocation webhook',
        timeoutMs: 30_000,
      },
    );
    expect((await world.http('GET', path('ep-a', forA), keyA)).status).toBe(404);
  });

  it('should report days to first employer contact and caseload per employment specialist', async () => {
    const [one, two] = [await world.confirmReadiness(), await world.confirmReadiness()];
    await waitFor(
      async () => (await world.status(one)) === 'referred' && (await world.status(two)) === 'referred',
    );
    const badSpecialist = await world.http('POST', path('ep-a', one, 'accept'), keyA, {
      employmentSpecialist: '王 某',
    });
    expect([badSpecialist.status, badSpecialist.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await world.status(one)).toBe('referred');
    for (const referral of [one, two]) {
      const accepted = await world.http('POST', path('ep-a', referral, 'accept'), keyA, {
        employmentSpecialist: 'es-07',
      });
      expect(accepted.body.employmentSpecialist).toBe('es-07');
    }
    const readyDay = world.clock.now().toISOString().slice(0, 10);
    world.clock.advance(10 * 24 * HOUR);
    const future = await world.http('POST', path('ep-a', one, 'employer-contacts'), keyA, {
      contactedOn: '2099-01-01',
    });
    expect([future.status, future.body.code]).toEqual([400, 'INVALID_CONTACT_DATE']);
    const notADate = await world.http('POST', path('ep-a', one, 'employer-contacts'), keyA, {
      contactedOn: '2026-02-30',
    });
    expect(notADate.status).toBe(400);
    const contactDay = new Date(Date.parse(readyDay) + 7 * 24 * HOUR).toISOString().slice(0, 10);
    const contact = await world.http('POST', path('ep-a', one, 'employer-contacts'), keyA, {
      contactedOn: contactDay,
    });
    expect([contact.status, contact.body.firstEmployerContactOn]).toEqual([200, contactDay]);

    const stats = await world.http('GET', '/v1/providers/ep-a/stats', keyA);
    expect(stats.body).toMatchObject({ medianDaysToFirstEmployerContact: 7, employerContacted: 1 });
    expect(stats.body.caseloadPerSpecialist).toEqual([
      { providerId: 'ep-a', specialist: 'es-07', caseload: 2 },
    ]);
    expect(stats.body.meanCaseloadPerSpecialist).toBe(2);
    const ops = await world.http('GET', '/v1/admin/employment-stats', world.adminToken);
    expect(ops.body.caseloadPerSpecialist).toEqual(stats.body.caseloadPerSpecialist);
    const forB = await world.http('GET', '/v1/providers/ep-b/stats', keyB);
    expect([forB.body.caseloadPerSpecialist, forB.body.medianDaysToFirstEmployerContact]).toEqual([[], null]);
  });

  it('should tell the site and the hospital each step with ids and stages only', async () => {
    const referral = await world.confirmReadiness();
    await waitFor(async () => (await world.status(referral)) === 'referred');
    await world.http('POST', path('ep-a', referral, 'accept'), keyA, {});
    await world.http('POST', path('ep-a', referral, 'placement'), keyA, {
      placementType: 'supported',
      employerName: '安康市某食品厂',
      startDate: world.clock.now().toISOString().slice(0, 10),
    });
    const events = await world.events(referral, EVENTS.employmentStageChanged.subject);
    expect(events.map((e) => e.data.stage)).toEqual(['referred', 'accepted', 'placed']);
    expect(events[2].data).toEqual({
      referralId: referral,
      siteId: 'site-a',
      stage: 'placed',
      placementType: 'supported',
      changedAt: world.clock.now().toISOString(),
    });
    expect(JSON.stringify(events)).not.toContain('安康市某食品厂'); // the employer stays with the provider
  });

  it('should keep no clinical field in any table, row, response, event or webhook after all of this', async () => {
    const scan = await scanForClinicalData(world);
    expect(scan.found).toEqual([]);
    expect(scan.rows).toBeGreaterThan(50);
    const [{ n }] = await world.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${world.schema}.webhook_delivery`,
    );
    expect(n).toBeGreaterThan(2); // the webhook bodies were among the rows scanned

    // The row scan sees clinical data where there is some (a diagnosis code smuggled into a text column).
    const smuggled = randomUUID();
    await world.db.query(
      `INSERT INTO ${world.schema}.withdrawn_referral (referral_id, purpose, withdrawn_at) VALUES ($1, 'F20.0', now())`,
      [smuggled],
    );
    try {
      expect((await scanForClinicalData(world)).found).toEqual([
        expect.stringMatching(/^withdrawn_referral\[\d+\]\.purpose = F20\.0$/),
      ]);
    } finally {
      await world.db.query(`DELETE FROM ${world.schema}.withdrawn_referral WHERE referral_id = $1`, [
        smuggled,
      ]);
    }
  });
});
