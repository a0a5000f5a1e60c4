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

/**
 * One connection for a spec's own reads and set-up. Its operations run one at a time: a spec that starts several
 * at once (`Promise.all` over a list) no longer queues them inside pg's client (deprecated, refused from pg 9), and
 * no query lands inside another operation's transaction (asRuntimeRole).
 */
export class TestDatabase {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: Client) {}

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.tail.then(operation, operation);
    this.tail = run.catch(() => undefined);
    return run;
  }

  query<T extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    return this.exclusive(async () => (await this.client.query(sql, params)).rows as T[]);
  }

  async count(sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await this.query<{ count: string | number }>(sql, params);
    return Number(row?.count ?? 0);
  }

  /** Drops each schema and its runtime role (roles are cluster-wide: tests must not leave them behind). */
  dropSchemas(...schemas: string[]): Promise<void> {
    return this.exclusive(() => this.dropEach(schemas));
  }

  private async dropEach(schemas: string[]): Promise<void> {
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
  asRuntimeRole<T extends Record<string, unknown> = Record<string, unknown>>(
    schema: string,
    actor: Actor | null,
    sql: string,
    params: unknown[] = [],
    commit = false,
  ): Promise<T[]> {
    return this.exclusive(() => this.inRuntimeRole<T>(schema, actor, sql, params, commit));
  }

  private async inRuntimeRole<T extends Record<string, unknown>>(
    schema: string,
    actor: Actor | null,
    sql: string,
    params: unknown[],
    commit: boolean,
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

  close(): Promise<void> {
    return this.exclusive(() => this.client.end());
  }
}
