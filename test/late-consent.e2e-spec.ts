import { randomInt, randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import {
  closeServices,
  dischargeRequest,
  DEMO_RESIDENCE,
  holdsFor,
  opsHeaders,
  ServiceUnderTest,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { HospitalService } from '@apps/hospital-intake/src/hospitals/hospital.service';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

/**
 * A consent signed the day after the discharge, through the real services on one bus namespace (hospital-intake,
 * registration, rehab-site in-process): the discharge without it is referred and waits at awaiting-consent, routed
 * nowhere; the same discharge sent again with the consent is answered 200 naming it, and the referral goes on to
 * referral.registered and referral.assigned, each once, as if the consent had come with the discharge.
 */
describe('a consent sent with the discharge again, from awaiting-consent to a site', () => {
  const namespace = uniqueName('late');
  const services = new Map<string, ServiceUnderTest>();
  let db: TestDatabase;
  let hospitalKey = '';
  const hospitalId = `h-${randomUUID().slice(0, 8)}`;
  const siteId = `site-${randomUUID().slice(0, 6)}`;

  async function call(
    service: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const response = await fetch(`${services.get(service)!.url}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  const hospital = (method: string, path: string, body?: unknown) =>
    call('hospital-intake', method, path, { 'x-api-key': hospitalKey }, body);
  const schema = (service: string) => services.get(service)!.schema;
  const outboxOf = (service: string, referralId: string, subject: string) =>
    db.count(`SELECT count(*) FROM "${schema(service)}".outbox WHERE ordering_key = $1 AND subject = $2`, [
      referralId,
      subject,
    ]);
  const applicationStatus = async (referralId: string) =>
    (
      await db.query<{ status: string }>(
        `SELECT status FROM "${schema('registration')}".application WHERE id = $1`,
        [referralId],
      )
    )[0]?.status;
  const assignedSite = async (referralId: string) =>
    (
      await db.query<{ site_id: string | null }>(
        `SELECT site_id FROM "${schema('rehab-site')}".referral WHERE referral_id = $1`,
        [referralId],
      )
    )[0]?.site_id ?? undefined;

  beforeAll(async () => {
    db = await testDatabase();
    const specs: [string, (o: Json) => Json, Json][] = [
      ['hospital-intake', (o) => IntakeModule.register(o), INTAKE_DB],
      ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
      ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
    ];
    for (const [name, register, database] of specs) {
      services.set(
        name,
        await startService({ register, database, namespace, config: { outboxPollIntervalMs: 50 } }),
      );
    }
    const ops = await opsHeaders('ops-admin');
    for (const name of services.keys()) {
      await waitFor(async () => (await call(name, 'GET', '/health/ready', ops)).status === 200, {
        message: `${name} ready`,
      });
    }
    hospitalKey = (await services
      .get('hospital-intake')!
      .app.get(HospitalService)
      .register({
        id: hospitalId,
        name: '安康市中心医院',
        level: 'tertiary',
        countyDivisionCode: '610902',
        kind: 'general',
        onCall: { name: '总值班', phone: '0915-0000000' },
      }))!;
    const created = await call('rehab-site', 'POST', '/v1/admin/sites', ops, {
      id: siteId,
      name: '老城街道康复站点',
      level: 'community-station',
      areaCodes: [DEMO_RESIDENCE],
      services: ['day-care', 'social-skills'],
      capacity: 10,
    });
    expect(created.status).toBe(201);
  }, 240_000);

  afterAll(async () => {
    await closeServices(services.values(), namespace, db);
  });

  it('should register and route the referral once the consent signed after the discharge is sent with it', async () => {
    const body = dischargeRequest(randomInt(1_000_000_000), { consents: [] });
    const first = await hospital('POST', '/v1/discharges', body);
    expect(first.status).toBe(201);
    const referralId = first.body.referralId as string;
    await waitFor(async () => (await applicationStatus(referralId)) === 'awaiting-consent', {
      timeoutMs: 30_000,
      message: 'registration waits for the consent',
    });
    expect((await hospital('GET', `/v1/referrals/${referralId}`)).body.stage).toBe('awaiting-consent');
    await holdsFor(async () => (await assignedSite(referralId)) === undefined, 1000);

    const consent = {
      purpose: 'community-rehab',
      grantedBy: 'patient',
      method: 'signed-at-hospital',
      grantedAt: new Date(Date.now() - 60_000).toISOString(),
    };
    const resent = await hospital('POST', '/v1/discharges', { ...body, consents: [consent] });
    const again = await hospital('POST', '/v1/discharges', { ...body, consents: [consent] });

    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ referralId, created: false, consentsAdded: [consent] });
    expect(again.status).toBe(200);
    expect(again.body.consentsAdded).toBeUndefined();
    expect(
      await waitFor(() => assignedSite(referralId), { timeoutMs: 60_000, message: 'assigned to the site' }),
    ).toBe(siteId);
    const view = await waitFor(
      async () => {
        const current = (await hospital('GET', `/v1/referrals/${referralId}`)).body;
        return (current.timeline as Json[]).some((s) => s.step === 'assigned') ? current : undefined;
      },
      { timeoutMs: 30_000, message: 'assigned on the hospital’s timeline' },
    );
    expect((view.timeline as Json[]).map((s) => s.step)).toEqual(['discharged', 'registered', 'assigned']);
    expect(await applicationStatus(referralId)).toBe('registered');
    expect(await outboxOf('hospital-intake', referralId, EVENTS.referralConsentsAdded.subject)).toBe(1);
    expect(await outboxOf('registration', referralId, EVENTS.referralRegistered.subject)).toBe(1);
    expect(await outboxOf('rehab-site', referralId, EVENTS.referralAssigned.subject)).toBe(1);
  });
});
