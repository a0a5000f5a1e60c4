import { Client } from 'pg';
import {
  dropLoginRole,
  loginRoleOf,
  loginUrl,
  migrateUp,
  provisionLoginRole,
  runtimeRoleOf,
} from '@app/persistence';
import {
  deleteNamespaceStreams,
  SHARED_NATS_URL,
  ServiceUnderTest,
  startService,
  TEST_DATABASE_URL,
  TestDatabase,
  testDatabase,
  uniqueName,
} from '@app/testing';
import { AppModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE } from '@apps/hospital-intake/src/database';
import { HospitalService } from '@apps/hospital-intake/src/hospitals/hospital.service';
import { discharge } from '@apps/hospital-intake/test/fixtures';
import { DATABASE as OPS_MONITOR_DATABASE } from '@apps/ops-monitor/src/database';

/**
 * Issue 14: the production path. hospital-intake runs as its own LOGIN role (as `npm run provision --
 * --db-logins` and `npm start` make it): it works end to end, and that login is no superuser, cannot read
 * another app's schema, cannot take another app's runtime role and cannot get round row-level security.
 */
describe('non-superuser database logins', () => {
  const namespace = uniqueName('t');
  const schema = uniqueName('dblogin');
  const otherSchema = uniqueName('dbother');
  const password = 'a-test-login-password-0123456789';
  let db: TestDatabase;
  let admin: Client;
  let asLogin: Client;
  let service: ServiceUnderTest | undefined;

  beforeAll(async () => {
    db = await testDatabase();
    await migrateUp({ url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' }, DATABASE);
    await migrateUp(
      { url: TEST_DATABASE_URL, schema: otherSchema, applicationName: 'test-migrate' },
      OPS_MONITOR_DATABASE,
    );
    admin = new Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    const database = decodeURIComponent(new URL(TEST_DATABASE_URL).pathname.slice(1));
    await provisionLoginRole(admin, { database, schema, password });
    // Idempotent: running provision again only resets the password.
    await provisionLoginRole(admin, { database, schema, password });
    const url = loginUrl(TEST_DATABASE_URL, loginRoleOf(schema), password);
    service = await startService({
      register: (o) => AppModule.register(o),
      database: DATABASE,
      schema,
      namespace,
      config: { databaseUrl: url },
    });
    asLogin = new Client({ connectionString: url });
    await asLogin.connect();
  }, 120_000);

  afterAll(async () => {
    await asLogin?.end();
    await service?.close();
    await deleteNamespaceStreams(SHARED_NATS_URL, namespace);
    await dropLoginRole(admin, schema);
    await admin?.end();
    await db.dropSchemas(schema, otherSchema);
    await db.close();
  });

  it('should serve hospital-intake end to end over its own login', async () => {
    const hospitalId = uniqueName('h');
    const key = (await service!.app.get(HospitalService).register({
      id: hospitalId,
      name: '测试医院',
      level: 'secondary',
      countyDivisionCode: '610902',
      kind: 'psychiatric',
      onCall: { name: '总值班', phone: '0915-0000000' },
    }))!;
    const created = await fetch(`${service!.url}/v1/discharges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify(discharge()),
    });
    expect(created.status).toBe(201);
    const { referralId } = (await created.json()) as { referralId: string };
    const read = await fetch(`${service!.url}/v1/referrals/${referralId}`, { headers: { 'x-api-key': key } });
    expect(read.status).toBe(200);
    // Every connection of the app's pool is the login (acting as the runtime role), none a superuser.
    const sessions = await db.query<{ usename: string; rolsuper: boolean }>(
      `SELECT a.usename, r.rolsuper FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
        WHERE a.application_name = 'hospital-intake' AND a.usename = $1`,
      [loginRoleOf(schema)],
    );
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((s) => !s.rolsuper)).toBe(true);
    expect(await db.count(`SELECT count(*) FROM "${schema}".referral`)).toBe(1);
  });

  it('should give the login no superuser or BYPASSRLS, no other schema and no way round row security', async () => {
    const refused = expect.objectContaining({ code: '42501' }) as unknown;
    const { rows } = await asLogin.query<{
      rolsuper: boolean;
      rolbypassrls: boolean;
      rolcreaterole: boolean;
    }>(`SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = current_user`);
    expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false, rolcreaterole: false }]);

    // Not another app's schema, as the login or as its own runtime role, nor by taking the other's role.
    await expect(asLogin.query(`SELECT * FROM "${otherSchema}".api_key`)).rejects.toEqual(refused);
    await expect(asLogin.query(`SET ROLE "${runtimeRoleOf(otherSchema)}"`)).rejects.toEqual(refused);
    await asLogin.query(`SET ROLE "${runtimeRoleOf(schema)}"`);
    await expect(asLogin.query(`SELECT * FROM "${otherSchema}".api_key`)).rejects.toEqual(refused);

    // Its own schema: row-level security applies (no actor → no row), and cannot be switched off.
    const visible = await asLogin.query(`SELECT count(*)::int AS n FROM "${schema}".referral`);
    expect(visible.rows).toEqual([{ n: 0 }]);
    await asLogin.query(`SET row_security = off`);
    await expect(asLogin.query(`SELECT count(*) FROM "${schema}".referral`)).rejects.toEqual(refused);
    await asLogin.query(`RESET row_security`);
    await expect(
      asLogin.query(`ALTER TABLE "${schema}".referral DISABLE ROW LEVEL SECURITY`),
    ).rejects.toEqual(refused);
    await expect(asLogin.query(`CREATE ROLE rb_escalation_probe SUPERUSER`)).rejects.toEqual(refused);
    await asLogin.query(`RESET ROLE`);
  });
});
