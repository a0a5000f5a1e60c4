import { Client } from 'pg';
import { ensureDatabase } from '@app/persistence';

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

  async dropSchemas(...schemas: string[]): Promise<void> {
    for (const schema of schemas) await this.client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
