import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceName, SERVICES } from '@app/contracts';
import { DatabaseDefinition, migrateUp } from '@app/persistence';
import {
  opsHeaders,
  SecureNats,
  ServiceProcess,
  spawnService,
  TEST_DATABASE_URL,
  TestDatabase,
  testDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { DATABASE as INTAKE_DATABASE } from '@apps/hospital-intake/src/database';
import { gb11643CheckChar } from '@apps/hospital-intake/src/discharges/discharge-rules';
import { seedHospitals } from '@apps/hospital-intake/src/hospitals/demo-hospitals';
import { DATABASE as REGISTRATION_DATABASE } from '@apps/registration/src/database';
import { DATABASE as REHAB_DATABASE } from '@apps/rehab-site/src/database';

const run = promisify(execFile);
const COMMITTEE = '610902001003'; // 汉滨区 老城街道 西大街社区居委会

/** Unique strings only this test patient carries. */
function markers() {
  const tag = randomBytes(5).toString('hex').toUpperCase();
  const birthDate = '1984-07-21';
  const first17 = `610902${birthDate.replace(/-/g, '')}${String(randomInt(1000)).padStart(3, '0')}`;
  return {
    name: `赵PIINAME${tag}`,
    idNumber: first17 + gb11643CheckChar(first17),
    idNumber17: first17,
    phone: `139${String(randomInt(1e8)).padStart(8, '0')}`,
    address: `汉滨区PIIADDR${tag}号`,
    guardianName: `钱PIIGUARD${tag}`,
    guardianPhone: `137${String(randomInt(1e8)).padStart(8, '0')}`,
    birthDate,
  };
}

/** `credentials`: an organisation's API key, or the headers of an ops token. */
async function json(
  url: string,
  method: string,
  credentials: string | Record<string, string>,
  body?: unknown,
) {
  const auth = typeof credentials === 'string' ? { 'X-API-Key': credentials } : credentials;
  const response = await fetch(url, {
    method,
    headers: { ...auth, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  // The test reads arbitrary JSON bodies (JSON.parse's `any`).
  const parsed = text ? JSON.parse(text) : undefined;
  return { status: response.status, body: parsed };
}

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

/**
 * Issue 5, "PII at rest": a patient whose name, ID number, phone, address and guardian are unique markers goes
 * hospital-intake → registration → rehab-site over a private nats-server running the generated security
 * config (TLS, one nkey user per service, least-privilege permissions). Once the site holds the referral, no
 * marker is in a pg_dump of the three schemas, in any file of the NATS store, or in the three services' logs —
 * while the referral id (not PII) is found in each, so the search itself works.
 */
describe('PII at rest (three service processes on a secured NATS)', () => {
  const namespace = uniqueName('pii');
  const patient = markers();
  let nats: SecureNats;
  let db: TestDatabase;
  const schemas = new Map<ServiceName, string>();
  const processes: ServiceProcess[] = [];
  const running = (service: ServiceName) => processes.find((p) => p.service === service)!;

  /** Migrates the service's fresh schema, then starts it configured by its environment only. */
  const start = async (
    service: ServiceName,
    database: DatabaseDefinition,
    env: Record<string, string> = {},
  ) => {
    const schema = `${namespace}_${service.replace(/-/g, '_')}`;
    schemas.set(service, schema);
    await migrateUp({ url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' }, database);
    processes.push(
      await spawnService(service, {
        DATABASE_URL: TEST_DATABASE_URL,
        DB_SCHEMA: schema,
        NATS_URL: nats.url,
        BUS_NAMESPACE: namespace,
        NATS_NKEY_SEED_FILE: nats.seedFileOf(service),
        NATS_TLS_CA_FILE: nats.certs.caFile,
        LOG_LEVEL: 'debug',
        ...env,
      }),
    );
  };

  beforeAll(async () => {
    db = await testDatabase();
    nats = await SecureNats.start({ namespace });
    await Promise.all([
      start(SERVICES.hospitalIntake, INTAKE_DATABASE),
      start(SERVICES.registration, REGISTRATION_DATABASE),
      start(SERVICES.rehabSite, REHAB_DATABASE),
    ]);
  });

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await nats?.stop();
    if (schemas.size) await db.dropSchemas(...schemas.values());
    await db?.close();
  });

  it('should carry the patient to a site with no clear PII in Postgres, the NATS store or the logs', async () => {
    const hospitalId = `h-${randomBytes(4).toString('hex')}`;
    const [{ apiKey: hospitalKey }] = await seedHospitals(
      async (sql, params) => ({ rows: await db.query(sql, params) }),
      schemas.get(SERVICES.hospitalIntake)!,
      [
        {
          id: hospitalId,
          name: `测试医院 ${hospitalId}`,
          level: 'secondary',
          countyDivisionCode: '610902',
          kind: 'psychiatric',
          onCall: { name: '总值班', phone: '0915-0000000' },
        },
      ],
    );
    const intake = running(SERVICES.hospitalIntake);
    const rehab = running(SERVICES.rehabSite);
    const siteId = `st-${randomBytes(4).toString('hex')}`;
    const site = await json(`${rehab.url}/v1/admin/sites`, 'POST', await opsHeaders('ops-admin'), {
      id: siteId,
      name: '西大街社区康复站',
      level: 'community-station',
      areaCodes: [COMMITTEE],
      services: ['day-care', 'social-skills'],
      capacity: 5,
    });
    expect(site.status).toBe(201);

    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
    const encounterId = `ZY-${randomBytes(6).toString('hex')}`;
    const discharged = await json(`${intake.url}/v1/discharges`, 'POST', hospitalKey, {
      encounterId,
      admittedAt: hoursAgo(24 * 30),
      dischargedAt: hoursAgo(2),
      dischargeDisposition: 'home',
      patient: {
        name: patient.name,
        idNumber: patient.idNumber,
        birthDate: patient.birthDate,
        sex: 'male',
        phone: patient.phone,
        address: patient.address,
        residenceDivisionCode: COMMITTEE,
        lacksCapacity: false,
        guardian: { name: patient.guardianName, relationship: 'parent', phone: patient.guardianPhone },
      },
      diagnoses: [{ code: 'F20.0', primary: true }],
      assessment: {
        riskLevel: 1,
        conditionStatus: 'basically-stable',
        rehabNeeds: ['day-care'],
        employmentInterest: false,
      },
      consents: [
        {
          purpose: 'community-rehab',
          grantedBy: 'patient',
          method: 'signed-at-hospital',
          grantedAt: hoursAgo(3),
        },
      ],
    });
    expect(discharged.status).toBe(201);
    const referralId = discharged.body.referralId as string;

    // The loop closes: the hospital sees the site the referral was assigned to.
    await waitFor(
      async () =>
        (await json(`${intake.url}/v1/referrals/${referralId}`, 'GET', hospitalKey)).body?.assignedSite,
      { timeoutMs: 30_000, message: 'referral assigned and reported back to the hospital' },
    );
    // The PII really made the trip (sealed): the holding site opens the contact.
    const held = await json(
      `${rehab.url}/v1/sites/${siteId}/referrals/${referralId}`,
      'GET',
      site.body.apiKey,
    );
    expect(held.status).toBe(200);
    expect(JSON.stringify(held.body)).toContain(patient.name);
    expect(JSON.stringify(held.body)).toContain(patient.phone);
    // Everything each service wrote is on the bus, so the store holds every event of this flow.
    for (const schema of schemas.values()) {
      await waitFor(
        async () =>
          (await db.count(`SELECT count(*) FROM "${schema}".outbox WHERE published_at IS NULL`)) === 0,
        { message: `${schema} outbox drained` },
      );
    }

    const url = new URL(TEST_DATABASE_URL);
    const { stdout: dump } = await run(
      'pg_dump',
      [
        ...[...schemas.values()].flatMap((schema) => ['--schema', schema]),
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        decodeURIComponent(url.username || 'postgres'),
        url.pathname.slice(1),
      ],
      { maxBuffer: 256 * 1024 * 1024, env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
    );
    const store = filesUnder(nats.server.storeDir).map((file) => ({ file, bytes: readFileSync(file) }));
    const logs = processes.map((p) => ({ service: p.service, text: p.output.join('') }));

    // The places searched really hold this referral (the search can find what is there).
    expect(dump).toContain(referralId);
    expect(dump).toContain(encounterId);
    expect(store.some(({ bytes }) => bytes.includes(referralId))).toBe(true);
    expect(logs.map(({ service, text }) => [service, text.includes(`"service":"${service}"`)])).toEqual(
      processes.map((p) => [p.service, true]),
    );
    expect(logs.some(({ text }) => text.includes(referralId))).toBe(true);

    const pii = [
      patient.name,
      patient.idNumber,
      patient.idNumber17,
      patient.phone,
      patient.address,
      patient.guardianName,
      patient.guardianPhone,
    ];
    const leaks: string[] = [];
    for (const marker of pii) {
      if (dump.includes(marker)) leaks.push(`pg_dump: ${marker}`);
      for (const { file, bytes } of store) if (bytes.includes(marker)) leaks.push(`${file}: ${marker}`);
      for (const { service, text } of logs)
        if (text.includes(marker)) leaks.push(`${service} logs: ${marker}`);
    }
    expect(leaks).toEqual([]);
  });
});
