import { EVENTS, ReferralFileSummarisedData } from '@app/contracts';
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

/** Issue 21: the patient's registration channel sees the subject's file summary rehab-site sends, no notes. */
describe("registration: the subject's file summary", () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  it('should show the latest file summary on the application and ignore an older one arriving late', async () => {
    const referralId = await publishAssessed(world, person(), [consent()]);
    await waitFor(async () => (await registeredEventsOf(world, referralId)).length === 1, {
      message: 'registered',
      timeoutMs: 30_000,
    });
    const summary = (over: Partial<ReferralFileSummarisedData>): ReferralFileSummarisedData => ({
      referralId,
      siteId: 'st-laocheng',
      stage: 'in-service',
      sessionCount: 3,
      lastSessionAt: '2026-11-10T02:00:00.000Z',
      assessmentCount: 1,
      lastAssessmentAt: '2026-11-09T02:00:00.000Z',
      nextAssessmentBy: '2026-12-09T02:00:00.000Z',
      updatedAt: '2026-11-10T03:00:00.000Z',
      ...over,
    });

    await publishEvent(world, EVENTS.referralFileSummarised, summary({}), referralId);
    const view = await waitFor(
      async () => {
        const found = await http(world, 'GET', `/applications/${referralId}`, world.keys.centre);
        return found.body.file ? found.body : undefined;
      },
      { message: 'file summary shown', timeoutMs: 30_000 },
    );
    const { referralId: _omitted, ...expected } = summary({});
    expect(view.file).toEqual(expected);

    // A newer summary (transferred), then older news arriving late: the older one never replaces it.
    const newer = summary({ siteId: 'st-xinhua', stage: 'assigned', updatedAt: '2026-11-11T00:00:00.000Z' });
    await publishEvent(world, EVENTS.referralFileSummarised, newer, referralId);
    const older = summary({ stage: 'accepted', sessionCount: 0, updatedAt: '2026-11-01T00:00:00.000Z' });
    const olderId = await publishEvent(world, EVENTS.referralFileSummarised, older, referralId);
    await waitFor(
      async () =>
        (await world.db.query(`SELECT 1 FROM "${world.service.schema}".inbox WHERE event_id = $1`, [olderId]))
          .length === 1,
      { message: 'older summary consumed', timeoutMs: 30_000 },
    );
    const shown = await http(world, 'GET', `/applications/${referralId}`, world.keys.centre);
    expect(shown.body.file).toMatchObject({ siteId: 'st-xinhua', stage: 'assigned', sessionCount: 3 });
    // No clinical content travels or is kept: only the summary fields.
    expect(Object.keys(shown.body.file as object).sort()).toEqual(Object.keys(expected).sort());
  });
});
