import { Client } from 'pg';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  DeferredStatement,
  organisationActor,
  runtimeRoleOf,
  SYSTEM_ACTOR,
  TransactionHost,
} from '@app/persistence';
import {
  QueryRecorder,
  testDatabase,
  TestDatabase,
  TEST_DATABASE_URL,
  uniqueName,
  waitFor,
} from '@app/testing';

const APPLICATION = 'tx-host-spec';
/** Transactions driven through the hot-path shape for the budget. */
const UNITS = 20;
/**
 * Statements per unit of work that changes a row and defers two writers' rows (like a referral's change, its
 * audit rows and its outbox rows): START with the actor, the change, one statement for both deferred writes,
 * COMMIT. It was 6: START, set_config, the change, one INSERT per writer, COMMIT.
 */
const STATEMENTS_PER_UNIT = 4;

/**
 * TransactionHost against the real Postgres, as the runtime role under row-level security: the actor is set in
 * the round trip that starts the transaction, before any work; failures roll back and release the connection;
 * nested transactions use savepoints; all deferred writes of a unit of work go as one statement that still passes
 * the policies' checks, fires statement triggers and keeps the order of identity columns.
 */
describe('TransactionHost (Postgres)', () => {
  let db: TestDatabase;
  let schema: string;
  let role: string;
  let dataSource: DataSource;
  let tx: TransactionHost;

  const hospitalA = organisationActor('h-a', 'hospital');
  const hospitalB = organisationActor('h-b', 'hospital');

  beforeAll(async () => {
    db = await testDatabase();
    schema = uniqueName('txhost');
    role = runtimeRoleOf(schema);
    const s = `"${schema}"`;
    const visible = `(coalesce(current_setting('app.system', true), '') = 'on' OR org = current_setting('app.organisation_id', true))`;
    await db.query(`CREATE SCHEMA ${s}`);
    await db.query(`CREATE ROLE "${role}" NOLOGIN`);
    await db.query(`GRANT USAGE ON SCHEMA ${s} TO "${role}"`);
    await db.query(`CREATE TABLE ${s}.item (id int PRIMARY KEY, org text NOT NULL, label text)`);
    await db.query(`CREATE TABLE ${s}.note (id int PRIMARY KEY, org text NOT NULL, body text NOT NULL)`);
    await db.query(
      `CREATE TABLE ${s}.queue (id text PRIMARY KEY, seq bigint GENERATED ALWAYS AS IDENTITY, org text NOT NULL)`,
    );
    for (const table of ['item', 'note', 'queue']) {
      await db.query(`GRANT SELECT, INSERT, UPDATE ON ${s}.${table} TO "${role}"`);
      await db.query(`ALTER TABLE ${s}.${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${s}.${table} FORCE ROW LEVEL SECURITY`);
      await db.query(`CREATE POLICY p ON ${s}.${table} USING ${visible} WITH CHECK ${visible}`);
    }
    await db.query(`
      CREATE FUNCTION ${s}.queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_notify('${schema}_queue', ''); RETURN NULL; END $$`);
    await db.query(
      `CREATE TRIGGER queue_notify AFTER INSERT ON ${s}.queue FOR EACH STATEMENT EXECUTE FUNCTION ${s}.queue_notify()`,
    );
    // One connection: every test also shows that the previous one released it, with no transaction left open.
    dataSource = new DataSource(
      dataSourceOptions(
        {
          url: TEST_DATABASE_URL,
          schema,
          applicationName: APPLICATION,
          poolSize: 1,
          runtimeRole: role,
          statementCacheSize: 50,
        },
        { entities: [], migrations: [] },
      ),
    );
    await dataSource.initialize();
    tx = new TransactionHost(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.query(`DROP OWNED BY "${role}"`);
    await db.query(`DROP ROLE IF EXISTS "${role}"`);
    await db.close();
  });

  /** A deferred writer: buffers rows of `table` (id, org, one text column) and hands the flush one INSERT. */
  const defer = (table: 'note' | 'queue', id: number | string, org: string, body?: string) =>
    tx
      .deferred(
        table,
        () => [] as { id: number | string; org: string; body?: string }[],
        (rows): DeferredStatement =>
          (bind) =>
            table === 'note'
              ? `INSERT INTO "${schema}".note (id, org, body)
                 SELECT * FROM unnest(${bind(rows.map((r) => r.id))}::int[], ${bind(rows.map((r) => r.org))}::text[],
                                      ${bind(rows.map((r) => r.body))}::text[])`
              : `INSERT INTO "${schema}".queue (id, org)
                 SELECT r.id, r.org FROM unnest(${bind(rows.map((r) => String(r.id)))}::text[],
                                                ${bind(rows.map((r) => r.org))}::text[]) WITH ORDINALITY AS r(id, org, n)
                  ORDER BY r.n`,
      )
      ?.push({ id, org, body });

  const insertItem = (id: number, org: string) =>
    tx.manager.query(`INSERT INTO "${schema}".item (id, org, label) VALUES ($1, $2, 'x')`, [id, org]);

  const ownStatements = (recorder: QueryRecorder) =>
    recorder.recorded({ application: APPLICATION }).map((s) => s.text);

  it('should set the actor in the statement that starts the transaction, before any work', async () => {
    const recorder = new QueryRecorder().start();
    let settings: Record<string, unknown>[] = [];
    try {
      settings = await tx.run(
        () =>
          tx.manager.query(
            `SELECT current_setting('app.organisation_id') AS organisation, current_setting('app.system') AS system`,
          ),
        hospitalA,
      );
    } finally {
      recorder.stop();
    }
    expect(settings).toEqual([{ organisation: 'h-a', system: 'off' }]);
    const statements = ownStatements(recorder);
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(
      /^START TRANSACTION; SELECT set_config\('app.organisation_id', 'h-a', true\)/,
    );
    expect(statements[2]).toBe('COMMIT');
    // Transaction-local: the pooled connection carries no actor afterwards.
    const [after] = await dataSource.query<{ organisation: string | null }[]>(
      `SELECT current_setting('app.organisation_id', true) AS organisation`,
    );
    expect(after.organisation ?? '').toBe('');
  });

  it('should pass an organisation id with quotes and backslashes through exactly', async () => {
    const tricky = organisationActor(`o'x\\y"; SELECT 1; --`, 'hospital');
    const [row] = await tx.run(
      () =>
        tx.manager.query<{ organisation: string }[]>(
          `SELECT current_setting('app.organisation_id') AS organisation`,
        ),
      tricky,
    );
    expect(row.organisation).toBe(`o'x\\y"; SELECT 1; --`);
  });

  it('should apply row-level security to the work under the actor', async () => {
    await tx.run(() => insertItem(1, 'h-a'), hospitalA);
    await expect(tx.run(() => insertItem(2, 'h-a'), hospitalB)).rejects.toThrow(/row-level security/);
    expect(await tx.run(() => tx.manager.query(`SELECT id FROM "${schema}".item`), hospitalB)).toEqual([]);
    expect(await tx.run(() => tx.manager.query(`SELECT id FROM "${schema}".item`), hospitalA)).toEqual([
      { id: 1 },
    ]);
  });

  it('should roll back everything, deferred writes included, when the work fails, and release the connection', async () => {
    await expect(
      tx.run(async () => {
        await insertItem(10, 'h-a');
        defer('note', 10, 'h-a', 'never');
        throw new Error('boom');
      }, hospitalA),
    ).rejects.toThrow('boom');
    // A failing statement aborts the transaction; the rollback ends it, so the connection is clean for the next.
    await expect(
      tx.run(async () => {
        await insertItem(11, 'h-a');
        await tx.manager.query('SELECT 1/0');
      }, hospitalA),
    ).rejects.toThrow(/division by zero/);
    expect(await db.count(`SELECT count(*) FROM "${schema}".item WHERE id IN (10, 11)`)).toBe(0);
    expect(await db.count(`SELECT count(*) FROM "${schema}".note WHERE id = 10`)).toBe(0);
    await tx.run(() => insertItem(12, 'h-a'), hospitalA);
    expect(await db.count(`SELECT count(*) FROM "${schema}".item WHERE id = 12`)).toBe(1);
  });

  it('should run after-commit callbacks once the unit of work has committed, and never after a rollback', async () => {
    const seen: string[] = [];
    await tx.run(async () => {
      await insertItem(90, 'h-a');
      // A joined transaction registers on the outer unit of work.
      await tx.run(() => {
        tx.afterCommit(() => seen.push(`committed ${String(tx.inTransaction)}`));
        return Promise.resolve();
      }, hospitalA);
      expect(seen).toEqual([]);
    }, hospitalA);
    expect(seen).toEqual(['committed false']);
    await expect(
      tx.run(async () => {
        tx.afterCommit(() => seen.push('rolled back'));
        await tx.manager.query('SELECT 1/0');
      }, hospitalA),
    ).rejects.toThrow(/division by zero/);
    expect(seen).toEqual(['committed false']);
    expect(() => tx.afterCommit(() => undefined)).toThrow(/open transaction/);
  });

  it('should keep nested transactions as savepoints inside the unit of work', async () => {
    await tx.run(async (manager) => {
      await insertItem(20, 'h-a');
      await expect(
        manager.transaction(async (inner) => {
          await inner.query(`INSERT INTO "${schema}".item (id, org) VALUES (21, 'h-a')`);
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      await manager.transaction((inner) =>
        inner.query(`INSERT INTO "${schema}".item (id, org) VALUES (22, 'h-a')`),
      );
    }, hospitalA);
    expect(
      (
        await db.query<{ id: number }>(
          `SELECT id FROM "${schema}".item WHERE id BETWEEN 20 AND 29 ORDER BY id`,
        )
      ).map((r) => r.id),
    ).toEqual([20, 22]);
  });

  it('should write all deferred rows in one statement that fires statement triggers and keeps their order', async () => {
    const listener = new Client({ connectionString: TEST_DATABASE_URL });
    await listener.connect();
    let notified = 0;
    listener.on('notification', () => notified++);
    await listener.query(`LISTEN "${schema}_queue"`);
    const recorder = new QueryRecorder().start();
    try {
      await tx.run(async () => {
        for (let i = 0; i < 5; i++) defer('queue', `q-${String(i)}`, 'h-a');
        defer('note', 30, 'h-a', 'first');
        defer('note', 31, 'h-a', 'second');
        defer('queue', 'q-5', 'h-a');
        return Promise.resolve();
      }, hospitalA);
    } finally {
      recorder.stop();
    }
    const statements = ownStatements(recorder);
    expect(statements).toHaveLength(3);
    expect(statements[1]).toMatch(
      /^WITH w1 AS \(INSERT INTO "\w+"\.queue .*\), w2 AS \(INSERT INTO "\w+"\.note /,
    );
    const queued = await db.query<{ id: string }>(
      `SELECT id FROM "${schema}".queue WHERE id LIKE 'q-%' ORDER BY seq`,
    );
    expect(queued.map((r) => r.id)).toEqual(['q-0', 'q-1', 'q-2', 'q-3', 'q-4', 'q-5']);
    expect(await db.count(`SELECT count(*) FROM "${schema}".note WHERE id IN (30, 31)`)).toBe(2);
    try {
      await waitFor(() => Promise.resolve(notified === 1), { message: 'statement trigger fired once' });
    } finally {
      await listener.end();
    }
  });

  it('should check deferred rows against the policies and roll back the unit of work when one fails', async () => {
    await expect(
      tx.run(async () => {
        await insertItem(40, 'h-a');
        defer('queue', 'q-40', 'h-a');
        defer('note', 40, 'h-b', 'another organisation');
        return Promise.resolve();
      }, hospitalA),
    ).rejects.toThrow(/row-level security/);
    expect(await db.count(`SELECT count(*) FROM "${schema}".item WHERE id = 40`)).toBe(0);
    expect(await db.count(`SELECT count(*) FROM "${schema}".queue WHERE id = 'q-40'`)).toBe(0);
    // The service itself may write any organisation's rows.
    await tx.runAsSystem(() => Promise.resolve(defer('note', 41, 'h-b', 'as the service')));
    expect(await db.count(`SELECT count(*) FROM "${schema}".note WHERE id = 41`)).toBe(1);
  });

  it(`should send at most ${STATEMENTS_PER_UNIT} statements for a change with two deferred writers`, async () => {
    const recorder = new QueryRecorder().start();
    try {
      for (let i = 0; i < UNITS; i++) {
        await tx.run(async () => {
          await insertItem(100 + i, 'h-a');
          defer('note', 100 + i, 'h-a', 'audit-like');
          defer('queue', `budget-${String(i)}`, 'h-a');
        }, hospitalA);
      }
    } finally {
      recorder.stop();
    }
    const statements = recorder.recorded({ application: APPLICATION });
    const transactions = QueryRecorder.transactions(statements);
    const perUnit = statements.length / UNITS;
    const report = `${perUnit.toFixed(2)} statements per unit of work:\n${QueryRecorder.summary(statements)}`;
    // The figure on success; the statement summary only with a failure.
    process.stdout.write(`${report.split('\n')[0]}\n`);
    expect(transactions).toHaveLength(UNITS);
    expect(transactions.every((t) => t.committed)).toBe(true);
    if (perUnit > STATEMENTS_PER_UNIT) throw new Error(`over budget (${STATEMENTS_PER_UNIT})\n${report}`);
    expect(await db.count(`SELECT count(*) FROM "${schema}".queue WHERE id LIKE 'budget-%'`)).toBe(UNITS);
  });

  it('should run a system transaction with the service flag on', async () => {
    const [row] = await tx.runAsSystem(() =>
      tx.manager.query<{ system: string }[]>(`SELECT current_setting('app.system') AS system`),
    );
    expect(row.system).toBe('on');
    expect(SYSTEM_ACTOR.kind).toBe('system');
  });
});
