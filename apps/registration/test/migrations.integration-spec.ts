import { migrateDown, migrateUp } from '@app/persistence';
import { TEST_DATABASE_URL, testDatabase, TestDatabase, uniqueName } from '@app/testing';
import { DATABASE } from '../src/database';

/** registration's hand-written migrations: up, down to nothing, up again. */
describe('registration migrations', () => {
  let db: TestDatabase;
  const schema = uniqueName('regm');
  const settings = { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' };

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  const tables = async () =>
    (
      await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      )
    ).map((t) => t.table_name);

  it('should apply, revert and re-apply cleanly', async () => {
    await migrateUp(settings, DATABASE);
    const created = await tables();
    expect(created).toEqual(
      expect.arrayContaining([
        'patient',
        'registration',
        'application',
        'consent',
        'consent_reminder',
        'api_key',
      ]),
    );

    await migrateDown(settings, DATABASE);
    expect(await tables()).toEqual(['schema_migrations']);

    await migrateUp(settings, DATABASE);
    expect(await tables()).toEqual(created);
  });
});
