import { EVENTS, ReferralAssignedData, ReferralDeclinedData } from '@app/contracts';
import { waitFor } from '@app/testing';
import {
  consent,
  http,
  person,
  publishAssessed,
  publishEvent,
  registeredEventsOf,
  RegistrationHarness,
  startRegistrationHarness,
} from './harness';

const HOUR_MS = 3_600_000;

/** Issue 21: a patient-refused decline stops routing at rehab-site; registration keeps why no site holds it. */
describe('registration: routing stopped because the patient or guardian refused', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  const registered = async () => {
    const referralId = await publishAssessed(world, person(), [consent()]);
    await waitFor(async () => (await registeredEventsOf(world, referralId)).length === 1, {
      message: 'registered',
      timeoutMs: 30_000,
    });
    return referralId;
  };
  const view = async (referralId: string) =>
    (await http(world, 'GET', `/applications/${referralId}`, world.keys.centre)).body;
  const consumed = (eventId: string) =>
    waitFor(
      async () =>
        (await world.db.query(`SELECT 1 FROM "${world.service.schema}".inbox WHERE event_id = $1`, [eventId]))
          .length === 1,
      { message: 'event consumed', timeoutMs: 30_000 },
    );
  const assigned = (referralId: string, siteId: string, at: Date): ReferralAssignedData => ({
    referralId,
    siteId,
    siteName: siteId,
    hop: 1,
    assignedAt: at.toISOString(),
    answerDueAt: new Date(at.getTime() + 48 * HOUR_MS).toISOString(),
    needsManualPlacement: false,
  });
  const declined = (
    referralId: string,
    siteId: string,
    reasonCode: ReferralDeclinedData['reasonCode'],
    at: Date,
  ): ReferralDeclinedData => ({ referralId, siteId, reasonCode, declinedAt: at.toISOString() });

  it('should show routing stopped (patient-refused, site, when) until a site is assigned again', async () => {
    const referralId = await registered();
    const t0 = new Date('2026-12-01T02:00:00.000Z');
    await consumed(
      await publishEvent(world, EVENTS.referralAssigned, assigned(referralId, 'st-laocheng', t0), referralId),
    );
    expect(await view(referralId)).not.toHaveProperty('routingStopped');

    const refusedAt = new Date(t0.getTime() + 5 * HOUR_MS);
    await publishEvent(
      world,
      EVENTS.referralDeclined,
      declined(referralId, 'st-laocheng', 'patient-refused', refusedAt),
      referralId,
    );
    const stopped = await waitFor(
      async () => {
        const found = await view(referralId);
        return found.routingStopped ? found : undefined;
      },
      { message: 'routing stopped shown', timeoutMs: 30_000 },
    );
    expect(stopped.routingStopped).toEqual({
      reason: 'patient-refused',
      siteId: 'st-laocheng',
      at: refusedAt.toISOString(),
    });
    // The registration view (the office's) lists the application with the same reason.
    const office = await http(
      world,
      'GET',
      `/registrations/${stopped.registrationId as string}`,
      world.keys.centre,
    );
    expect(JSON.stringify(office.body)).toContain('"routingStopped":{"reason":"patient-refused"');

    // Ops place it by hand once the patient agrees: a later assignment clears the stop.
    const again = new Date(refusedAt.getTime() + 24 * HOUR_MS);
    await consumed(
      await publishEvent(
        world,
        EVENTS.referralAssigned,
        assigned(referralId, 'st-xinhua', again),
        referralId,
      ),
    );
    expect(await view(referralId)).not.toHaveProperty('routingStopped');

    // The refusal delivered again late (another envelope, older than that assignment) does not stand again.
    await consumed(
      await publishEvent(
        world,
        EVENTS.referralDeclined,
        declined(referralId, 'st-laocheng', 'patient-refused', refusedAt),
        referralId,
      ),
    );
    expect(await view(referralId)).not.toHaveProperty('routingStopped');
  });

  it('should not react to a decline for any other reason (rehab-site re-routes it)', async () => {
    const referralId = await registered();
    const at = new Date('2026-12-02T02:00:00.000Z');
    await consumed(
      await publishEvent(
        world,
        EVENTS.referralDeclined,
        declined(referralId, 'st-a', 'no-capacity', at),
        referralId,
      ),
    );
    await consumed(
      await publishEvent(
        world,
        EVENTS.referralDeclined,
        declined(referralId, 'st-b', 'risk-too-high', at),
        referralId,
      ),
    );
    expect(await view(referralId)).not.toHaveProperty('routingStopped');
    const [row] = await world.db.query<{ routing_stopped_reason: string | null }>(
      `SELECT routing_stopped_reason FROM "${world.service.schema}".application WHERE id = $1`,
      [referralId],
    );
    expect(row.routing_stopped_reason).toBeNull();
  });
});
