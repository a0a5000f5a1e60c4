import { DatabaseDefinition, migrateDown, migrateUp } from '@app/persistence';
import { TEST_DATABASE_URL, testDatabase, TestDatabase, uniqueName } from '@app/testing';
import { DATABASE as EMPLOYMENT_DB } from '@apps/employment-referral/src/database';
import { DATABASE as HOSPITAL_DB } from '@apps/hospital-intake/src/database';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

/** How many migrations step back to before `name` (it and every later one). */
const stepsBackTo = (database: DatabaseDefinition, name: string) => {
  const names = (database.migrations as { name: string }[]).map((m) => m.name);
  expect(names).toContain(name);
  return names.length - names.indexOf(name);
};

/**
 * The employment lane's migrations (employment-referral's episodes and webhooks, rehab-site's and
 * hospital-intake's employment outcome): up, down to before it, up again, with the same columns.
 */
describe('employment lane migrations', () => {
  let db: TestDatabase;
  const schemas: string[] = [];

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db.dropSchemas(...schemas);
    await db.close();
  });

  const columns = async (schema: string) =>
    (
      await db.query<{ c: string }>(
        `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
          WHERE table_schema = $1 ORDER BY 1`,
        [schema],
      )
    ).map((r) => r.c);

  it.each([
    [
      'employment-referral',
      EMPLOYMENT_DB,
      'EmploymentEpisodesAndWebhooks1766200000000',
      ['relapse_mark.cause', 'provider.webhook_url', 'webhook_delivery.body'],
    ],
    ['rehab-site', REHAB_DB, 'EmploymentOutcome1766210000000', ['employment_outcome.stage']],
    ['hospital-intake', HOSPITAL_DB, 'EmploymentOutcome1766220000000', ['referral.employment_stage']],
  ] as [string, DatabaseDefinition, string, string[]][])(
    '%s: the employment migration reverts and re-applies cleanly',
    async (_app, database, migration, added) => {
      const schema = uniqueName('empm');
      schemas.push(schema);
      const settings = { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' };
      await migrateUp(settings, database);
      const after = await columns(schema);
      expect(after).toEqual(expect.arrayContaining(added));
      await migrateDown(settings, database, stepsBackTo(database, migration));
      const before = await columns(schema);
      for (const column of added) expect(before).not.toContain(column);
      await migrateUp(settings, database);
      expect(await columns(schema)).toEqual(after);
    },
  );
});
