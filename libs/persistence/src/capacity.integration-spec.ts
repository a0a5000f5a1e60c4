import { DataSource } from 'typeorm';
import { dataSourceOptions, DeferredPlaces, SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { testDatabase, TestDatabase, TEST_DATABASE_URL, uniqueName } from '@app/testing';

class NoRoom extends Error {
  constructor(readonly ids: string[]) {
    super(`no room at ${ids.join(',')}`);
  }
}

/**
 * DeferredPlaces against the real Postgres: places are taken at commit in id order, so two transactions taking
 * places at the same rows in opposite orders both commit (no deadlock); a row that filled up meanwhile rolls
 * the late transaction back; releases never go below zero.
 */
describe('DeferredPlaces (Postgres)', () => {
  let db: TestDatabase;
  let schema: string;
  let dataSource: DataSource;
  let tx: TransactionHost;
  const places = new DeferredPlaces(
    (host) => `${host.schema}.place`,
    (ids) => new NoRoom(ids),
  );

  beforeAll(async () => {
    db = await testDatabase();
    schema = uniqueName('places');
    await db.query(`CREATE SCHEMA "${schema}"`);
    await db.query(
      `CREATE TABLE "${schema}".place (id text PRIMARY KEY, accepting boolean NOT NULL DEFAULT true,
         capacity int NOT NULL, reserved int NOT NULL DEFAULT 0)`,
    );
    // A referencing table: its inserts hold KEY SHARE locks on place rows until commit, as referrals do on sites.
    await db.query(
      `CREATE TABLE "${schema}".holder (id serial PRIMARY KEY, place_id text NOT NULL REFERENCES "${schema}".place (id))`,
    );
    dataSource = new DataSource(
      dataSourceOptions(
        { url: TEST_DATABASE_URL, schema, applicationName: 'places-spec', poolSize: 4 },
        { entities: [], migrations: [] },
      ),
    );
    await dataSource.initialize();
    tx = new TransactionHost(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db?.close();
  });

  beforeEach(async () => {
    await db.query(`TRUNCATE "${schema}".holder, "${schema}".place`);
    await db.query(`INSERT INTO "${schema}".place (id, capacity) VALUES ('a', 10), ('b', 10), ('c', 1)`);
  });

  const reserved = async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      (
        await db.query<{ id: string; reserved: number }>(
          `SELECT id, reserved FROM "${schema}".place ORDER BY id`,
        )
      ).map((r) => [r.id, r.reserved]),
    );

  /** Takes a place at each row in `order`, writing a referencing row each time, then waits for `gate`. */
  const takeInOrder = (order: string[], gate: Promise<void>, arrived: () => void): Promise<void> =>
    tx.run(async (manager) => {
      for (const id of order) {
        await manager.query(`INSERT INTO ${tx.schema}.holder (place_id) VALUES ($1)`, [id]);
        await places.take(tx, id);
      }
      arrived();
      await gate;
    }, SYSTEM_ACTOR);

  it('should commit two transactions taking places at the same rows in opposite orders', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let arrivals = 0;
    const arrived = () => {
      if (++arrivals === 2) open();
    };

    // Both hold their referencing rows' locks before either flushes: with locks taken at once they would deadlock.
    await Promise.all([takeInOrder(['a', 'b'], gate, arrived), takeInOrder(['b', 'a'], gate, arrived)]);

    expect(await reserved()).toEqual({ a: 2, b: 2, c: 0 });
  });

  it('should roll back the transaction whose row filled up before its commit, and keep the one that fit', async () => {
    const first = tx.run(() => places.take(tx, 'c'), SYSTEM_ACTOR);
    const second = tx.run(() => places.take(tx, 'c'), SYSTEM_ACTOR);

    const results = await Promise.allSettled([first, second]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [failed] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failed.reason).toBeInstanceOf(NoRoom);
    expect((failed.reason as NoRoom).ids).toEqual(['c']);
    expect(await reserved()).toEqual({ a: 0, b: 0, c: 1 });
  });

  it('should net a unit of work’s changes and never release below zero', async () => {
    await tx.run(async () => {
      await places.take(tx, 'a');
      await places.take(tx, 'a');
      await places.give(tx, 'a');
      await places.give(tx, 'b');
    }, SYSTEM_ACTOR);

    expect(await reserved()).toEqual({ a: 1, b: 0, c: 0 });
  });

  it('should apply at once outside a transaction', async () => {
    await places.take(tx, 'b');

    expect(await reserved()).toEqual({ a: 0, b: 1, c: 0 });
  });
});
