import { Client } from 'pg';
import { Actor, actorSettings, ensureDatabase, runtimeRoleOf } from '@app/persistence';

/** The database integration tests use (created if missing); each test works in its own schemas. */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/referral_bus_test';

export async function testDatabase(): Promise<TestDatabase> {
  await ensureDatabase(TEST_DATABASE_URL);
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  return new TestDatabase(client);
}

export class TestDatabase {
  constructor(private readonly client: Client) {}

  async query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const result = await this.client.query(sql, params);
    return result.rows as T[];
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.query<{ count: string | number }>(sql, params);
    return Number(row?.count ?? 0);
  }

  /** Drops each schema and its runtime role (roles are cluster-wide: tests must not leave them behind). */
  async dropSchemas(...schemas: string[]): Promise<void> {
    for (const schema of schemas) {
      await this.client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      const role = runtimeRoleOf(schema);
      await this.client.query(`
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
            DROP OWNED BY "${role}";
            DROP ROLE "${role}";
          END IF;
        EXCEPTION WHEN dependent_objects_still_exist THEN NULL;
        END $$`);
    }
  }

  /**
   * Runs raw SQL the way the app does: as the schema's runtime role, in a transaction acting for `actor`
   * (`null`: no actor set at all). Rolled back unless `commit`; errors (e.g. permission denied) are thrown.
   */
  async asRuntimeRole<T extends Record<string, unknown> = Record<string, unknown>>(
    schema: string,
    actor: Actor | null,
    sql: string,
    params: unknown[] = [],
    commit = false,
  ): Promise<T[]> {
    await this.client.query('BEGIN');
    try {
      await this.client.query(`SET LOCAL ROLE "${runtimeRoleOf(schema)}"`);
      if (actor) {
        const [organisationId, system] = actorSettings(actor);
        await this.client.query(
          `SELECT set_config('app.organisation_id', $1, true), set_config('app.system', $2, true)`,
          [organisationId, system],
        );
      }
      const result = await this.client.query(sql, params);
      await this.client.query(commit ? 'COMMIT' : 'ROLLBACK');
      return result.rows as T[];
    } catch (error) {
      await this.client.query('ROLLBACK');
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
