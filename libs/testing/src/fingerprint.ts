import { TestDatabase } from './database';

/**
 * The relay's bookkeeping on outbox rows (attempts, published_at, stream_seq) changes in the background after any
 * accepted request; only what a request writes is compared: the event rows themselves and their cancellation.
 */
const BACKGROUND_COLUMNS: Record<string, string> = {
  outbox: '(id, subject, event_type, ordering_key, payload, cancelled_at)',
};

/** Counted on every request, refused ones included (that is the point of a rate limit): not stored input. */
const REQUEST_COUNTERS = new Set(['rate_limit']);

/**
 * A digest of every row of every table in a schema (small test schemas only): equal before and after a refused
 * request means it stored, changed and deleted nothing.
 */
export async function schemaFingerprint(db: TestDatabase, schema: string): Promise<Record<string, string>> {
  const tables = await db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'
      ORDER BY table_name`,
    [schema],
  );
  const digest: Record<string, string> = {};
  for (const { table_name } of tables) {
    if (REQUEST_COUNTERS.has(table_name)) continue;
    const [row] = await db.query<{ d: string | null }>(
      `SELECT md5(string_agg(r::text, '|' ORDER BY r::text)) AS d
         FROM (SELECT ${BACKGROUND_COLUMNS[table_name] ?? 't'} AS r FROM "${schema}"."${table_name}" t) rows`,
    );
    digest[table_name] = row.d ?? 'empty';
  }
  return digest;
}
