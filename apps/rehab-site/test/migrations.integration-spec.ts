import { migrateDown, migrateUp } from '@app/persistence';
import { TEST_DATABASE_URL, testDatabase, TestDatabase, uniqueName } from '@app/testing';
import { DATABASE } from '../src/database';

/** rehab-site's hand-written migrations (row-level security included): up, down to nothing, up again. */
describe('rehab-site migrations', () => {
  let db: TestDatabase;
  const schema = uniqueName('rsm');
  const settings = { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' };

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  const columns = async () =>
    (
      await db.query<{ c: string }>(
        `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
          WHERE table_schema = $1 ORDER BY 1`,
        [schema],
      )
    ).map((r) => r.c);

  it('should apply, revert and re-apply cleanly', async () => {
    await migrateUp(settings, DATABASE);
    const created = await columns();
    expect(created).toEqual(
      expect.arrayContaining([
        'referral.review_by',
        'referral.assessment_overdue_raised_at',
        'service_record.kind',
      ]),
    );

    await migrateDown(settings, DATABASE);
    expect((await columns()).filter((c) => !c.startsWith('schema_migrations.'))).toEqual([]);

    await migrateUp(settings, DATABASE);
    expect(await columns()).toEqual(created);
  });
});
