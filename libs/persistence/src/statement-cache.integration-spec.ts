import { PreparingClient } from '@app/persistence';
import { testDatabase, TestDatabase, TEST_DATABASE_URL, uniqueName } from '@app/testing';

/**
 * The prepared-statement client against the real Postgres: statements are prepared once per connection, the
 * cache is bounded, a stale statement recovers, and row-level security still filters by the setting of each
 * execution once Postgres switches to a generic plan.
 */
describe('PreparingClient', () => {
  let db: TestDatabase;
  let schema: string;
  let role: string;

  beforeAll(async () => {
    db = await testDatabase();
    schema = uniqueName('stmt');
    role = `${schema}_reader`;
    await db.query(`CREATE SCHEMA "${schema}"`);
    await db.query(`CREATE TABLE "${schema}".item (id int PRIMARY KEY, owner text NOT NULL, label text)`);
    await db.query(
      `INSERT INTO "${schema}".item SELECT g, CASE WHEN g % 2 = 0 THEN 'even' ELSE 'odd' END, 'n' || g
         FROM generate_series(1, 40) g`,
    );
    await db.query(`CREATE ROLE "${role}" NOLOGIN`);
    await db.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
    await db.query(`GRANT SELECT ON "${schema}".item TO "${role}"`);
    await db.query(`ALTER TABLE "${schema}".item ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE "${schema}".item FORCE ROW LEVEL SECURITY`);
    await db.query(
      `CREATE POLICY owner_only ON "${schema}".item USING (owner = current_setting('app.owner', true))`,
    );
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP OWNED BY "${role}"`);
    await db.query(`DROP ROLE IF EXISTS "${role}"`);
    await db.close();
  });

  async function client(cacheSize?: number, asRole = false): Promise<PreparingClient> {
    const c = new PreparingClient(
      {
        connectionString: TEST_DATABASE_URL,
        ...(asRole ? { options: `-c role=${role}` } : {}),
      },
      cacheSize,
    );
    await c.connect();
    return c;
  }

  const prepared = async (c: PreparingClient): Promise<string[]> =>
    (await c.query('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time')).rows.map(
      (r: { statement: string }) => r.statement,
    );

  it('should prepare a parameterised statement once per connection and reuse it', async () => {
    const c = await client();
    try {
      for (let i = 1; i <= 5; i++) {
        const { rows } = await c.query(`SELECT label FROM "${schema}".item WHERE id = $1`, [i]);
        expect(rows).toEqual([{ label: `n${i}` }]);
      }
      await c.query('SELECT 1'); // no parameters: simple protocol, not prepared
      expect(await prepared(c)).toEqual([`SELECT label FROM "${schema}".item WHERE id = $1`]);
    } finally {
      await c.end();
    }
  });

  it('should prepare at most cacheSize statements and run the rest unnamed', async () => {
    const c = await client(3);
    try {
      for (let i = 1; i <= 6; i++) {
        const { rows } = await c.query(`SELECT ${i} + $1::int AS n`, [1]);
        expect(rows).toEqual([{ n: i + 1 }]);
      }
      expect(await prepared(c)).toHaveLength(3);
    } finally {
      await c.end();
    }
  });

  it('should recover when a table changes under a prepared SELECT *', async () => {
    const table = `"${schema}".changing`;
    await db.query(`CREATE TABLE ${table} (id int PRIMARY KEY, a text)`);
    await db.query(`INSERT INTO ${table} VALUES (1, 'x')`);
    const c = await client();
    try {
      const read = () => c.query(`SELECT * FROM ${table} WHERE id = $1`, [1]);
      expect((await read()).rows).toEqual([{ id: 1, a: 'x' }]);
      await db.query(`ALTER TABLE ${table} ADD COLUMN b text DEFAULT 'y'`);
      // The statement prepared before the change may fail once (the caller's retry path), never twice.
      const next = await read().catch((error: { code?: string }) => error);
      if (!('rows' in next)) expect(next.code).toBe('0A000');
      expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: 'y' }]);
      // After DEALLOCATE ALL the client re-prepares instead of naming a statement the server forgot.
      await c.query('DEALLOCATE ALL');
      const afterDiscard = await read().catch((error: { code?: string }) => error);
      if (!('rows' in afterDiscard)) expect(afterDiscard.code).toBe('26000');
      expect((await read()).rows).toEqual([{ id: 1, a: 'x', b: 'y' }]);
    } finally {
      await c.end();
    }
  });

  it('should keep row-level security per execution once the plan is generic', async () => {
    const c = await client(undefined, true);
    try {
      // A generic plan is what a prepared statement ends up with: it must still filter by each execution's owner.
      await c.query('SET plan_cache_mode = force_generic_plan');
      for (let i = 0; i < 12; i++) {
        const owner = i % 2 === 0 ? 'even' : 'odd';
        await c.query('BEGIN');
        await c.query(`SELECT set_config('app.owner', $1, true)`, [owner]);
        const { rows } = await c.query(
          `SELECT owner, count(*)::int AS n FROM "${schema}".item WHERE id > $1 GROUP BY owner`,
          [0],
        );
        await c.query('COMMIT');
        expect(rows).toEqual([{ owner, n: 20 }]);
      }
      await c.query('BEGIN');
      const { rows: none } = await c.query(
        `SELECT count(*)::int AS n FROM "${schema}".item WHERE id > $1`,
        [0],
      );
      await c.query('COMMIT');
      expect(none).toEqual([{ n: 0 }]);
    } finally {
      await c.end();
    }
  });
});
