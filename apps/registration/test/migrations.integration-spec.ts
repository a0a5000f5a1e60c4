import { roundTripMigrations, testDatabase, TestDatabase, uniqueName } from '@app/testing';
import { DATABASE } from '../src/database';

/** registration's hand-written migrations: up, down to nothing, up again. */
describe('registration migrations', () => {
  let db: TestDatabase;
  const schema = uniqueName('regm');

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  it('should apply, revert and re-apply cleanly', async () => {
    const trip = await roundTripMigrations(db, schema, DATABASE);
    const tables = new Set(trip.created.map((c) => c.split('.')[0]));
    for (const table of [
      'patient',
      'registration',
      'application',
      'consent',
      'consent_reminder',
      'api_key',
    ]) {
      expect(tables).toContain(table);
    }
    expect(trip.leftAfterDown).toEqual([]);
    expect(trip.recreated).toEqual(trip.created);
  });
});
