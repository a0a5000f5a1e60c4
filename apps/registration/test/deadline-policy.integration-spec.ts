import { randomUUID } from 'node:crypto';
import { EVENTS, EventEnvelope } from '@app/contracts';
import { waitFor } from '@app/testing';
import { CalendarCoverageMonitor } from '../src/calendar/calendar-coverage.monitor';
import {
  applicationRow,
  consent,
  http,
  person,
  publishAssessed,
  publishEvent,
  RegistrationHarness,
  startRegistrationHarness,
  streamEvents,
} from './harness';

const cst = (local: string) => new Date(`${local}+08:00`);
const DAY = 86_400_000;

/** Deadlines through a year with no holiday calendar, the calendar alert, the refer-to-a-site deadline. */
describe('registration deadlines and the holiday calendar horizon', () => {
  let world: RegistrationHarness;
  let monitor: CalendarCoverageMonitor;

  beforeAll(async () => {
    world = await startRegistrationHarness({ holidayCalendarLeadDays: 42 });
    monitor = world.service.app.get(CalendarCoverageMonitor);
  });

  afterAll(async () => {
    await world?.close();
  });

  const published = async (type: string, referralId: string): Promise<EventEnvelope[]> =>
    (await streamEvents(world)).filter((e) => e.type === type && e.subject === referralId);

  /** A hospital referral of `patient` registered at `at` (consent signed an hour before); its referral id. */
  const registerAt = async (at: Date, patient = person()): Promise<string> => {
    world.clock.set(at);
    const referralId = await publishAssessed(world, patient, [
      consent({ grantedAt: new Date(at.getTime() - 3_600_000).toISOString() }),
    ]);
    await waitFor(async () => (await published(EVENTS.referralRegistered.type, referralId)).length === 1);
    return referralId;
  };

  const calendarAlerts = () =>
    world.db.query<{ payload: string }>(
      `SELECT payload FROM "${world.service.schema}".outbox WHERE subject = $1 AND payload LIKE '%HOLIDAY_CALENDAR_MISSING%'`,
      [EVENTS.opsAlertRaised.subject],
    );

  it('should raise the missing-calendar alert for 2027 once, six weeks before it starts', async () => {
    world.clock.set(cst('2026-11-10T09:00:00')); // 52 days before 2027: not yet
    expect(await monitor.check()).toEqual([]);
    world.clock.set(cst('2026-12-04T09:00:00')); // today, 28 days before
    expect(await monitor.check()).toEqual([2027]);
    world.clock.advance(DAY);
    expect(await monitor.check()).toEqual([]);

    const alerts = await calendarAlerts();
    expect(alerts).toHaveLength(1);
    const data = (JSON.parse(alerts[0].payload) as EventEnvelope<Record<string, unknown>>).data;
    expect(data).toMatchObject({
      code: 'HOLIDAY_CALENDAR_MISSING',
      severity: 'warning',
      service: 'registration',
      details: { year: 2027, startsAt: cst('2027-01-01T00:00:00').toISOString(), leadDays: 42 },
    });
  });

  it('should count a deadline into 2027 on weekdays, and store and show it as provisional', async () => {
    world.clock.set(cst('2026-12-31T10:00:00'));
    const filed = await http(world, 'POST', '/v1/applications', world.keys.villageCommittee, {
      channel: 'village-committee',
      patient: person(),
      needs: ['day-care'],
    });
    const id = filed.body.applicationId as string;

    // Thu Dec 31 → Fri Jan 1 (a weekday: 2027 unknown), Mon 4, Tue 5, Wed 6, Thu 7.
    expect(filed.body).toMatchObject({
      registerDueAt: cst('2027-01-08T00:00:00').toISOString(),
      registerDueProvisional: true,
    });
    const view = await http(world, 'GET', `/v1/applications/${id}`, world.keys.villageCommittee);
    expect(view.body).toMatchObject({ registerDueProvisional: true });

    world.clock.set(cst('2026-11-02T10:00:00'));
    const plain = await http(world, 'POST', '/v1/applications', world.keys.villageCommittee, {
      channel: 'village-committee',
      patient: person(),
      needs: ['day-care'],
    });
    expect(plain.body).toMatchObject({ registerDueProvisional: false });
  });

  describe('refer to a site within 5 working days of registration', () => {
    it('should start the deadline at referral.registered and report its breach once', async () => {
      const id = await registerAt(cst('2026-09-29T09:00:00'));
      // Sep 30, (Oct 1–7 holiday), Oct 8, 9, 10 (make-up Saturday), 12 → due at the end of Oct 12.
      const due = cst('2026-10-13T00:00:00');
      const view = await http(world, 'GET', `/v1/applications/${id}`, world.keys.centre);
      expect(view.body).toMatchObject({
        referToSiteDueAt: due.toISOString(),
        referToSiteDueProvisional: false,
        referToSiteBreached: false,
      });

      world.clock.set(new Date(due.getTime() - 60_000));
      expect((await world.sweeper.sweep()).referBreaches).toBe(0);
      world.clock.set(new Date(due.getTime() + 60_000));
      expect((await world.sweeper.sweep()).referBreaches).toBe(1);
      expect((await world.sweeper.sweep()).referBreaches).toBe(0);

      const [breach] = await waitFor(async () => {
        const found = (await published(EVENTS.referralSlaBreached.type, id)).filter(
          (e) => (e.data as { stage: string }).stage === 'refer-to-site',
        );
        return found.length > 0 ? found : undefined;
      });
      expect(breach.data).toEqual({
        referralId: id,
        stage: 'refer-to-site',
        dueAt: due.toISOString(),
        breachedAt: new Date(due.getTime() + 60_000).toISOString(),
        workingDays: 5,
      });
    });

    it('should be met by the first site assignment (not by a manual placement)', async () => {
      const id = await registerAt(cst('2026-11-02T09:00:00'));
      const assigned = (needsManualPlacement: boolean, referralId = id) =>
        publishEvent(
          world,
          EVENTS.referralAssigned,
          {
            referralId,
            siteId: needsManualPlacement ? 'cc-hanbin' : 'st-laocheng',
            siteName: 'site',
            hop: needsManualPlacement ? 1 : 2,
            // The manual placement comes first (Nov 3), the site the centre found next (Nov 4).
            assignedAt: cst(
              needsManualPlacement ? '2026-11-03T09:00:00' : '2026-11-04T09:00:00',
            ).toISOString(),
            answerDueAt: cst('2026-11-06T09:00:00').toISOString(),
            needsManualPlacement,
          },
          referralId,
        );

      await assigned(true);
      await assigned(false);
      await waitFor(async () => {
        const [row] = await world.db.query<{ referred_at: Date | null }>(
          `SELECT referred_at FROM "${world.service.schema}".application WHERE id = $1`,
          [id],
        );
        return row.referred_at !== null;
      });

      world.clock.set(cst('2026-11-20T09:00:00'));
      expect((await world.sweeper.sweep()).referBreaches).toBe(0);
      const view = await http(world, 'GET', `/v1/applications/${id}`, world.keys.centre);
      expect(view.body).toMatchObject({
        referToSiteBreached: false,
        referredToSiteAt: cst('2026-11-04T09:00:00').toISOString(),
      });

      // An assignment of a referral registration does not hold is acknowledged and changes nothing.
      const eventId = await assigned(false, randomUUID());
      await waitFor(async () => {
        const rows = await world.db.query(
          `SELECT 1 FROM "${world.service.schema}".inbox WHERE event_id = $1`,
          [eventId],
        );
        return rows.length === 1;
      });
      expect(await world.db.count(`SELECT count(*) FROM "${world.service.schema}".dead_letter`)).toBe(0);
    });
  });

  describe('one risk policy for every channel', () => {
    const assess = async (body: Record<string, unknown>) => {
      const at = world.clock.now();
      const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
        channel: 'family',
        patient: person(),
        needs: ['day-care'],
        consents: [
          {
            purpose: 'community-rehab',
            grantedBy: 'patient',
            method: 'signed-online',
            grantedAt: new Date(at.getTime() - 60_000).toISOString(),
          },
        ],
      });
      const id = filed.body.applicationId as string;
      await http(world, 'POST', `/v1/applications/${id}/verification`, world.keys.centre, {
        outcome: 'verified',
      });
      const assessed = await http(world, 'POST', `/v1/applications/${id}/assessment`, world.keys.centre, {
        rehabNeeds: ['day-care'],
        employmentInterest: false,
        assessedAt: at.toISOString(),
        ...body,
      });
      return { id, view: assessed.body };
    };

    it('should not register a risk 3 patient the county centre posted as green and eligible', async () => {
      world.clock.set(cst('2026-11-09T10:00:00'));
      const { id, view } = await assess({
        riskLevel: 3,
        conditionStatus: 'stable',
        colourGrade: 'green',
        eligibleForCommunityRehab: true,
      });

      expect(view).toMatchObject({ status: 'ineligible' });
      expect(await applicationRow(world, id)).toMatchObject({ status: 'ineligible' });
      expect(await published(EVENTS.referralRegistered.type, id)).toEqual([]);
    });

    it('should not register a risk 4 hospital referral whatever the event says, and publish the grade the policy derives', async () => {
      world.clock.set(cst('2026-11-09T10:00:00'));
      const at = world.clock.now().getTime();
      const risky = await publishAssessed(
        world,
        person(),
        [consent({ grantedAt: new Date(at - 60_000).toISOString() })],
        {
          riskLevel: 4,
          colourGrade: 'green',
          eligibleForCommunityRehab: true,
        },
      );
      const graded = await publishAssessed(
        world,
        person(),
        [consent({ grantedAt: new Date(at - 60_000).toISOString() })],
        {
          riskLevel: 1,
          conditionStatus: 'stable',
          colourGrade: 'green',
        },
      );

      await waitFor(async () => (await applicationRow(world, risky))?.status === 'ineligible');
      const [registered] = await waitFor(async () => {
        const found = await published(EVENTS.referralRegistered.type, graded);
        return found.length > 0 ? found : undefined;
      });
      expect(registered.data).toMatchObject({ riskLevel: 1, colourGrade: 'yellow' });
      expect(await published(EVENTS.referralRegistered.type, risky)).toEqual([]);
    });
  });

  describe("the hospital's referral when it does not register on its own", () => {
    it('should tell the hospital its referral was linked to an existing registration, and nothing more', async () => {
      const patient = person();
      const first = await registerAt(cst('2026-11-16T10:00:00'), patient);
      const second = await publishAssessed(world, patient, [], { hospitalId: 'ak-hospital-2' });

      const [ended] = await waitFor(async () => {
        const found = await published(EVENTS.referralApplicationEnded.type, second);
        return found.length > 0 ? found : undefined;
      });
      expect(ended.data).toEqual({
        referralId: second,
        outcome: 'linked-to-existing',
        reasonCode: 'already-registered',
        endedAt: world.clock.now().toISOString(),
      });
      expect(await published(EVENTS.referralApplicationEnded.type, first)).toEqual([]);
    });

    it('should tell the hospital its referral was refused when the person had withdrawn consent', async () => {
      const patient = person();
      const first = await registerAt(cst('2026-11-16T11:00:00'), patient);
      const registrationId = (await applicationRow(world, first))!.registration_id;
      await http(
        world,
        'POST',
        `/v1/registrations/${registrationId}/consent-withdrawals`,
        world.keys.centre,
        {
          purpose: 'community-rehab',
          withdrawnBy: 'patient',
        },
      );
      const again = await publishAssessed(world, patient, [], { hospitalId: 'ak-hospital-2' });

      const [ended] = await waitFor(async () => {
        const found = await published(EVENTS.referralApplicationEnded.type, again);
        return found.length > 0 ? found : undefined;
      });
      expect(ended.data).toMatchObject({ outcome: 'refused', reasonCode: 'consent-withdrawn-earlier' });
    });
  });
});
