import { DatabaseDefinition, migrateDown, migrateUp } from '@app/persistence';
import { TEST_DATABASE_URL, TestDatabase } from './database';

/** The columns of a schema's tables as `table.column`, sorted, without the migrations bookkeeping. */
export async function schemaColumns(db: TestDatabase, schema: string): Promise<string[]> {
  const rows = await db.query<{ c: string }>(
    `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
      WHERE table_schema = $1 AND table_name <> 'schema_migrations' ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.c);
}

export interface MigrationRoundTrip {
  /** Columns after the first `up`. */
  readonly created: string[];
  /** Columns left after `down` all the way (should be none). */
  readonly leftAfterDown: string[];
  /** Columns after `up` again (should equal `created`). */
  readonly recreated: string[];
}

/** An app's migrations up, down all the way, and up again on a fresh `schema`; the columns after each step. */
export async function roundTripMigrations(
  db: TestDatabase,
  schema: string,
  definition: DatabaseDefinition,
): Promise<MigrationRoundTrip> {
  const settings = { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' };
  await migrateUp(settings, definition);
  const created = await schemaColumns(db, schema);
  await migrateDown(settings, definition);
  const leftAfterDown = await schemaColumns(db, schema);
  await migrateUp(settings, definition);
  return { created, leftAfterDown, recreated: await schemaColumns(db, schema) };
}
