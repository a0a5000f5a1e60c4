import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { DatabaseDefinition } from '@app/persistence';
import { ServiceOverrides } from '@app/platform';
import {
  closeServices,
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
import { discharge } from '@apps/hospital-intake/test/fixtures';
import { AppModule as OpsModule } from '@apps/ops-monitor/src/app.module';
import { DATABASE as OPS_DB } from '@apps/ops-monitor/src/database';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

/**
 * A referral through the real services (hospital-intake → registration → rehab-site, a site accepting)
 * while ops-monitor watches: every milestone ops-monitor shows is the event time its producer wrote, and the
 * stage latencies on its dashboard are the differences of those times.
 */
describe('ops-monitor watching a referral through every service', () => {
  const namespace = uniqueName('opsflow');
  const services = new Map<string, ServiceUnderTest>();
  let db: TestDatabase;
  let hospitalKey = '';
  let siteKey = '';
  let ops: Record<string, string> = {};
  const siteId = `site-${randomUUID().slice(0, 8)}`;

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
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Json };
  }

  /** The `time` of the event a service wrote to its outbox for this referral. */
  async function producedAt(
    service: string,
    definition: { type: string },
    referralId: string,
  ): Promise<Date> {
    const rows = await db.query<{ payload: string }>(
      `SELECT payload FROM "${services.get(service)!.schema}".outbox WHERE ordering_key = $1 AND payload::jsonb->>'type' = $2`,
      [referralId, definition.type],
    );
    expect(rows).toHaveLength(1);
    return new Date((JSON.parse(rows[0].payload) as { time: string }).time);
  }

  beforeAll(async () => {
    db = await testDatabase();
    const specs: [
      string,
      (o: ServiceOverrides) => ReturnType<typeof OpsModule.register>,
      DatabaseDefinition,
    ][] = [
      ['hospital-intake', (o) => IntakeModule.register(o), INTAKE_DB],
      ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
      ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
      ['ops-monitor', (o) => OpsModule.register(o, { busPollIntervalMs: 200 }), OPS_DB],
    ];
    for (const [name, register, database] of specs) {
      services.set(
        name,
        await startService({ register, database, namespace, config: { outboxPollIntervalMs: 50 } }),
      );
    }
    ops = await opsHeaders('ops-admin');
    for (const name of services.keys()) {
      await waitFor(async () => (await call(name, 'GET', '/health/ready', ops)).status === 200, {
        message: `${name} ready`,
      });
    }
    const hospitalId = `h-${randomUUID().slice(0, 8)}`;
    hospitalKey = (await services
      .get('hospital-intake')!
      .app.get(HospitalService)
      .register({
        id: hospitalId,
        name: '安康市精神病医院',
        level: 'secondary',
        countyDivisionCode: '610902',
        kind: 'psychiatric',
        onCall: { name: '总值班', phone: '0915-0000000' },
      }))!;
    const site = await call('rehab-site', 'POST', '/v1/admin/sites', ops, {
      id: siteId,
      name: '西大街社区康复站',
      level: 'community-station',
      areaCodes: ['610902001003'],
      services: ['day-care', 'social-skills'],
      capacity: 10,
    });
    expect(site.status).toBe(201);
    siteKey = site.body.apiKey as string;
  });

  afterAll(async () => {
    await closeServices(services.values(), namespace, db);
  });

  it('should show the producers’ event times and the latencies they give', async () => {
    const referralIds: string[] = [];
    // One person (a second discharge of the same person is linked to their open registration, by design).
    const sent = await call(
      'hospital-intake',
      'POST',
      '/v1/discharges',
      { 'x-api-key': hospitalKey },
      discharge(),
    );
    expect(sent.status).toBe(201);
    referralIds.push(sent.body.referralId as string);
    const timeline = (id: string) => call('ops-monitor', 'GET', `/v1/referrals/${id}/timeline`, ops);
    for (const id of referralIds) {
      await waitFor(async () => (await timeline(id)).body?.summary?.state === 'assigned', {
        message: `${id} assigned`,
      });
      expect(
        (
          await call('rehab-site', 'POST', `/v1/sites/${siteId}/referrals/${id}/accept`, {
            'x-api-key': siteKey,
          })
        ).status,
      ).toBe(200);
    }
    for (const id of referralIds) {
      await waitFor(async () => (await timeline(id)).body?.summary?.state === 'accepted', {
        message: `${id} accepted`,
      });
    }

    const stages: Record<string, number[]> = {};
    for (const id of referralIds) {
      const { summary } = (await timeline(id)).body;
      const times = {
        discharged: await producedAt('hospital-intake', EVENTS.referralDischarged, id),
        assessed: await producedAt('hospital-intake', EVENTS.referralAssessed, id),
        registered: await producedAt('registration', EVENTS.referralRegistered, id),
        assigned: await producedAt('rehab-site', EVENTS.referralAssigned, id),
        accepted: await producedAt('rehab-site', EVENTS.referralAccepted, id),
      };
      for (const [milestone, at] of Object.entries(times)) {
        expect([milestone, summary.milestones[milestone]]).toEqual([milestone, at.toISOString()]);
      }
      const add = (stage: string, from: Date, to: Date) =>
        (stages[stage] ??= []).push((to.getTime() - from.getTime()) / 1000);
      add('discharged-to-assessed', times.discharged, times.assessed);
      add('assessed-to-registered', times.assessed, times.registered);
      add('registered-to-assigned', times.registered, times.assigned);
      add('assigned-to-accepted', times.assigned, times.accepted);
      expect(summary).toMatchObject({ countyCode: '610902', siteId });
    }

    const dashboard = (await call('ops-monitor', 'GET', '/v1/dashboard', ops)).body;
    for (const [stage, values] of Object.entries(stages)) {
      const sorted = values.sort((a, b) => a - b);
      const row = dashboard.latency.find((l: Json) => l.stage === stage);
      expect([stage, row.count, row.p50, row.max]).toEqual([stage, 1, sorted[0], sorted[0]]);
    }
    const metrics = (
      await fetch(`${services.get('ops-monitor')!.url}/metrics`, { headers: ops }).then((r) => r.text())
    ).split('\n');
    const sum = metrics.find(
      (l) =>
        l.startsWith('referral_machine_stage_duration_seconds_sum{') &&
        l.includes('stage="registered-to-assigned"') &&
        l.includes('county="610902"'),
    );
    expect(Number(sum!.split(' ').pop())).toBeCloseTo(
      stages['registered-to-assigned'].reduce((a, b) => a + b),
      6,
    );
    // Every durable on the bus is watched, read from the JetStream API.
    await waitFor(
      async () =>
        ((await call('ops-monitor', 'GET', '/v1/dashboard', ops)).body.bus.consumers as Json[]).some(
          (c) => c.consumer === 'rehab-site__referral-registered',
        ),
      { message: 'other services’ durables in bus health' },
    );
  });
});
