import { roundTripMigrations, testDatabase, TestDatabase, uniqueName } from '@app/testing';
import { DATABASE } from '../src/database';

/** rehab-site's hand-written migrations (row-level security included): up, down to nothing, up again. */
describe('rehab-site migrations', () => {
  let db: TestDatabase;
  const schema = uniqueName('rsm');

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  it('should apply, revert and re-apply cleanly', async () => {
    const trip = await roundTripMigrations(db, schema, DATABASE);
    expect(trip.created).toEqual(
      expect.arrayContaining([
        'referral.review_by',
        'referral.assessment_overdue_raised_at',
        'service_record.kind',
      ]),
    );
    expect(trip.leftAfterDown).toEqual([]);
    expect(trip.recreated).toEqual(trip.created);
  });
});
