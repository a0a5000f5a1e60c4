import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import {
  applicationRow,
  http,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
  streamEvents,
} from './harness';

const cst = (local: string) => new Date(`${local}+08:00`);
const HOUR = 3_600_000;

/** Working-day deadlines and consent timers on a controllable clock. */
describe('registration deadlines', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness({ consentReminderIntervalHours: 72, consentExpiryDays: 30 });
  });

  afterAll(async () => {
    await world?.close();
  });

  const published = async (type: string, referralId: string) =>
    (await streamEvents(world)).filter((e) => e.type === type && e.subject === referralId);

  it('should set the verify & register deadline in working days across National Day and report its breach once', async () => {
    world.clock.set(cst('2026-09-29T09:00:00'));
    const filed = await http(world, 'POST', '/v1/applications', world.keys.villageCommittee, {
      channel: 'village-committee',
      patient: person(),
      needs: ['day-care'],
    });
    const id = filed.body.applicationId as string;

    // Sep 30, (Oct 1–7 holiday), Oct 8, 9, 10 (make-up Saturday), 12 → due at the end of Oct 12.
    expect(filed.body.registerDueAt).toBe(cst('2026-10-13T00:00:00').toISOString());
    world.clock.set(cst('2026-10-12T23:59:00'));
    expect((await world.sweeper.sweep()).slaBreaches).toBe(0);
    world.clock.set(cst('2026-10-13T00:01:00'));
    expect((await world.sweeper.sweep()).slaBreaches).toBe(1);
    expect((await world.sweeper.sweep()).slaBreaches).toBe(0);

    const [breach] = await waitFor(async () => {
      const found = await published(EVENTS.referralSlaBreached.type, id);
      return found.length > 0 ? found : undefined;
    });
    expect(breach.data).toEqual({
      referralId: id,
      stage: 'verify-and-register',
      dueAt: cst('2026-10-13T00:00:00').toISOString(),
      breachedAt: cst('2026-10-13T00:01:00').toISOString(),
      workingDays: 5,
    });
    const view = await http(world, 'GET', `/v1/applications/${id}`, world.keys.villageCommittee);
    expect(view.body.slaBreached).toBe(true);
  });

  it('should remind while awaiting consent and expire the application after the configured period', async () => {
    const start = cst('2026-11-02T10:00:00');
    world.clock.set(start);
    const referralId = await publishAssessed(world, person(), []);
    await waitFor(async () => (await applicationRow(world, referralId))?.status === 'awaiting-consent');
    const reminders = () =>
      world.db.count(
        `SELECT count(*) FROM "${world.service.schema}".consent_reminder WHERE application_id = $1`,
        [referralId],
      );

    world.clock.set(new Date(start.getTime() + 71 * HOUR));
    await world.sweeper.sweep();
    expect(await reminders()).toBe(0);
    world.clock.set(new Date(start.getTime() + 72 * HOUR));
    await world.sweeper.sweep();
    expect(await reminders()).toBe(1);
    world.clock.set(new Date(start.getTime() + 100 * HOUR));
    await world.sweeper.sweep();
    expect(await reminders()).toBe(1);
    world.clock.set(new Date(start.getTime() + 144 * HOUR));
    await world.sweeper.sweep();
    expect(await reminders()).toBe(2);

    world.clock.set(new Date(start.getTime() + 30 * 24 * HOUR));
    await world.sweeper.sweep();

    expect(await applicationRow(world, referralId)).toMatchObject({ status: 'expired' });
    const [expired] = await waitFor(async () => {
      const found = await published(EVENTS.referralRegistrationExpired.type, referralId);
      return found.length > 0 ? found : undefined;
    });
    expect(expired.data).toMatchObject({
      referralId,
      purpose: 'community-rehab',
      awaitingConsentSince: start.toISOString(),
    });
    expect(await published(EVENTS.referralRegistered.type, referralId)).toHaveLength(0);
  });
});
