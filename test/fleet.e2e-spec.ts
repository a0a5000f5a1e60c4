import {
  AppFleet,
  dischargeRequest,
  expectValidFhir,
  holdsFor,
  testDatabase,
  TestDatabase,
  waitFor,
} from '@app/testing';
import {
  assessmentObservations,
  chineseDischargeBundle,
} from '@apps/hospital-intake/test/fixtures/chinese-fhir-discharge';

/**
 * The process fleet that fault and performance runs drive: the built apps as separate processes, one discharge
 * end to end, and an app killed with SIGKILL coming back on the same port and schema.
 */
describe('AppFleet (built apps as processes)', () => {
  let fleet: AppFleet;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await testDatabase();
    fleet = await AppFleet.start({ apps: ['hospital-intake', 'registration', 'rehab-site'] });
  }, 240_000);

  afterAll(async () => {
    await fleet?.dispose();
    await db?.close();
  });

  it('should carry a discharge from the hospital to an assigned site', async () => {
    const res = await fetch(`${fleet.app('hospital-intake').url}/v1/discharges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': fleet.hospitalKey() },
      body: JSON.stringify(dischargeRequest(1)),
    });
    expect(res.status).toBe(201);

    const site = fleet.app('rehab-site').schema;
    const assigned = await waitFor(
      () => db.count(`SELECT count(*) FROM "${site}".referral WHERE site_id IS NOT NULL`),
      { timeoutMs: 60_000, message: 'referral assigned to a site' },
    );
    expect(assigned).toBe(1);
  });

  it('should route a FHIR discharge sent without an assessment only once the assessment arrives', async () => {
    const site = fleet.app('rehab-site').schema;
    const atSites = () => db.count(`SELECT count(*) FROM "${site}".referral`);
    const before = await atSites();
    const post = async (body: unknown) => {
      const response = await fetch(`${fleet.app('hospital-intake').url}/v1/fhir`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', 'x-api-key': fleet.hospitalKey() },
        body: JSON.stringify(body),
      });
      // The FHIR answer is checked against the official FHIR R4 JSON schema.
      expectValidFhir(await response.clone().json(), `POST /v1/fhir → ${response.status}`);
      return response;
    };

    const kept = await post(chineseDischargeBundle({ address: 'text' }));
    expect(kept.status).toBe(201);
    const location = kept.headers.get('location')!;
    // Kept awaiting its assessment: nothing reaches a site meanwhile.
    await holdsFor(async () => (await atSites()) === before, 3_000);

    const assessed = await post(assessmentObservations(location));
    expect(assessed.status).toBe(200);
    await waitFor(async () => (await atSites()) === before + 1, {
      timeoutMs: 60_000,
      message: 'the assessed referral assigned to a site',
    });
  });

  it('should restart an app killed with SIGKILL on the same port and report its usage', async () => {
    const registration = fleet.app('registration');
    const before = registration.pid;
    await registration.kill('SIGKILL');
    expect(registration.running).toBe(false);

    await registration.restart();

    expect(registration.running).toBe(true);
    expect(registration.pid).not.toBe(before);
    const usage = registration.usage();
    expect(usage.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(usage.peakRssBytes).toBeGreaterThanOrEqual(usage.rssBytes);
    expect(usage.cpuSeconds).toBeGreaterThan(0);
  });
});
