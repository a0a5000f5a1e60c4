import { createHash } from 'node:crypto';
import { DatabaseDefinition, migrateDown, migrateUp } from '@app/persistence';
import { TEST_DATABASE_URL, testDatabase, TestDatabase, uniqueName } from '@app/testing';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

/**
 * The migrations that moved each service's older key storage into @app/auth's api_key table: the hashes of
 * keys already handed out move over (so those keys keep working) and the down restores the old shape with them.
 */
describe('api_key consolidation migrations keep existing keys', () => {
  let db: TestDatabase;
  const schemas: string[] = [];
  const sha = (key: string) => createHash('sha256').update(key).digest();

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db.dropSchemas(...schemas);
    await db.close();
  });

  /**
   * Migrates to just before the consolidation, runs `seed`, then applies it (later migrations are left out:
   * they expect the consolidated table).
   */
  async function beforeAndAfter(definition: DatabaseDefinition, seed: (s: string) => Promise<void>) {
    const schema = uniqueName('akm');
    schemas.push(schema);
    const settings = { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' };
    const migrations = definition.migrations as (new () => { name?: string })[];
    const at = migrations.findIndex((m) => /^ConsolidateApiKeys/.test(new m().name ?? m.name));
    expect(at).toBeGreaterThan(0);
    const older = { ...definition, migrations: migrations.slice(0, at) };
    const upTo = { ...definition, migrations: migrations.slice(0, at + 1) };
    await migrateUp(settings, older);
    await seed(`"${schema}"`);
    expect(await migrateUp(settings, upTo)).toEqual([new migrations[at]().name]);
    return { schema: `"${schema}"`, down: () => migrateDown(settings, upTo, 1) };
  }

  const apiKeys = (s: string) =>
    db.query<{
      organisation_id: string;
      organisation_kind: string;
      key_sha256: Buffer;
      revoked_at: Date | null;
    }>(
      `SELECT organisation_id, organisation_kind, key_sha256, revoked_at FROM ${s}.api_key ORDER BY organisation_id`,
    );

  it('hospital-intake: hospital_api_key ⇄ api_key', async () => {
    const key = 'hik_abcdefgh_0123456789abcdefghijklmnopqrstuvwx';
    const m = await beforeAndAfter(INTAKE_DB, async (s) => {
      await db.query(
        `INSERT INTO ${s}.hospital (id, name, level, county_division_code, kind, on_call_name, on_call_phone)
         VALUES ('h1', '医院', 'secondary', '610902', 'psychiatric', 'x', 'y')`,
      );
      await db.query(
        `INSERT INTO ${s}.hospital_api_key (prefix, hospital_id, key_sha256) VALUES ('abcdefgh', 'h1', $1)`,
        [sha(key)],
      );
    });
    expect(await apiKeys(m.schema)).toEqual([
      { organisation_id: 'h1', organisation_kind: 'hospital', key_sha256: sha(key), revoked_at: null },
    ]);
    await m.down();
    expect(
      await db.query(`SELECT prefix, hospital_id, key_sha256 FROM ${m.schema}.hospital_api_key`),
    ).toEqual([{ prefix: 'abcdefgh', hospital_id: 'h1', key_sha256: sha(key) }]);
  });

  it('registration: api_client ⇄ api_key (inactive clients stay refused)', async () => {
    const m = await beforeAndAfter(REGISTRATION_DB, async (s) => {
      await db.query(
        `INSERT INTO ${s}.api_client (organisation_id, organisation_name, organisation_kind, division_code, key_hash, active)
         VALUES ('fam', '家属', 'family-portal', '610902', $1, true), ('old', '旧', 'enterprise', '610922', $2, false)`,
        [sha('demo-ak-fam').toString('hex'), sha('demo-ak-old').toString('hex')],
      );
    });
    const moved = await apiKeys(m.schema);
    expect(
      moved.map((k) => [k.organisation_id, k.organisation_kind, k.key_sha256, k.revoked_at !== null]),
    ).toEqual([
      ['fam', 'family-portal', sha('demo-ak-fam'), false],
      ['old', 'enterprise', sha('demo-ak-old'), true],
    ]);
    await m.down();
    expect(
      await db.query(
        `SELECT organisation_id, key_hash, active FROM ${m.schema}.api_client ORDER BY organisation_id`,
      ),
    ).toEqual([
      { organisation_id: 'fam', key_hash: sha('demo-ak-fam').toString('hex'), active: true },
      { organisation_id: 'old', key_hash: sha('demo-ak-old').toString('hex'), active: false },
    ]);
  });

  it('rehab-site: site.api_key_hash ⇄ api_key', async () => {
    const m = await beforeAndAfter(REHAB_DB, async (s) => {
      await db.query(
        `INSERT INTO ${s}.site (id, name, level, county_code, functions, services, capacity, api_key_hash)
         VALUES ('s1', '站', 'community-station', '610902', '{}', '{day-care}', 5, $1),
                ('s2', '无钥', 'community-station', '610902', '{}', '{day-care}', 5, NULL)`,
        [sha('demo_s1').toString('hex')],
      );
    });
    expect(await apiKeys(m.schema)).toEqual([
      { organisation_id: 's1', organisation_kind: 'site', key_sha256: sha('demo_s1'), revoked_at: null },
    ]);
    await m.down();
    expect(await db.query(`SELECT id, api_key_hash FROM ${m.schema}.site ORDER BY id`)).toEqual([
      { id: 's1', api_key_hash: sha('demo_s1').toString('hex') },
      { id: 's2', api_key_hash: null },
    ]);
  });
});
