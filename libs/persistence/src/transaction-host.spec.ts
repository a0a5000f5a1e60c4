import { DataSource, EntityManager } from 'typeorm';
import { organisationActor, SYSTEM_ACTOR, systemActor } from './actor';
import { runtimeRoleOf } from './row-security';
import { TransactionHost } from './transaction-host';

/**
 * A DataSource whose query runners record the statements sent through them (transaction control included) and
 * track the transaction the way TypeORM's do.
 */
function fakeDataSource(options: { failing?: RegExp } = {}): {
  dataSource: DataSource;
  statements: [string, unknown[] | undefined][];
  released: () => number;
} {
  const statements: [string, unknown[] | undefined][] = [];
  let released = 0;
  class FakeRunner {
    isTransactionActive = false;
    readonly manager = {
      query: (sql: string, params?: unknown[]) => this.query(sql, params),
    } as unknown as EntityManager;

    query(sql: string, params?: unknown[]): Promise<unknown> {
      statements.push([sql, params]);
      return options.failing?.test(sql) ? Promise.reject(new Error(`failed: ${sql}`)) : Promise.resolve([]);
    }

    async startTransaction(): Promise<void> {
      this.isTransactionActive = true;
      await this.query('START TRANSACTION');
    }

    async commitTransaction(): Promise<void> {
      await this.query('COMMIT');
      this.isTransactionActive = false;
    }

    async rollbackTransaction(): Promise<void> {
      await this.query('ROLLBACK');
      this.isTransactionActive = false;
    }

    release(): Promise<void> {
      released++;
      return Promise.resolve();
    }
  }
  const dataSource = {
    options: { schema: 'rehab_site' },
    manager: { pool: true },
    createQueryRunner: () => new FakeRunner(),
  } as unknown as DataSource;
  return { dataSource, statements, released: () => released };
}

const sqlOf = (statements: [string, unknown[] | undefined][]) => statements.map(([sql]) => sql);

describe('TransactionHost actor', () => {
  const hospitalA = organisationActor('h-a', 'hospital');

  it('should start the transaction and set the organisation transaction-locally in one statement', async () => {
    const { dataSource, statements, released } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async () => {
      expect(tx.actor).toEqual(hospitalA);
      await tx.manager.query('SELECT 1');
    }, hospitalA);
    expect(statements).toEqual([
      [
        `START TRANSACTION; SELECT set_config('app.organisation_id', 'h-a', true), set_config('app.system', 'off', true)`,
        undefined,
      ],
      ['SELECT 1', undefined],
      ['COMMIT', undefined],
    ]);
    expect(released()).toBe(1);
  });

  it('should mark a system transaction and no organisation', async () => {
    const { dataSource, statements } = fakeDataSource();
    await new TransactionHost(dataSource).runAsSystem(() => Promise.resolve());
    expect(statements[0][0]).toBe(
      `START TRANSACTION; SELECT set_config('app.organisation_id', '', true), set_config('app.system', 'on', true)`,
    );
  });

  it('should escape the organisation id as a literal', async () => {
    const { dataSource, statements } = fakeDataSource();
    await new TransactionHost(dataSource).run(
      () => Promise.resolve(),
      organisationActor(`x', true); DROP TABLE t; --\\`, 'hospital'),
    );
    expect(statements[0][0]).toContain(
      `set_config('app.organisation_id',  E'x'', true); DROP TABLE t; --\\\\', true)`,
    );
  });

  it('should roll back and release the connection when the work, a flush or the start fails', async () => {
    const { dataSource, statements, released } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await expect(tx.run(() => Promise.reject(new Error('boom')), hospitalA)).rejects.toThrow('boom');
    expect(sqlOf(statements).slice(1)).toEqual(['ROLLBACK']);
    expect(released()).toBe(1);

    const failingStart = fakeDataSource({ failing: /^START TRANSACTION/ });
    const work = jest.fn(() => Promise.resolve());
    await expect(new TransactionHost(failingStart.dataSource).run(work, hospitalA)).rejects.toThrow(/failed/);
    expect(work).not.toHaveBeenCalled();
    // The START may have opened the transaction before its set_config failed: it is rolled back.
    expect(sqlOf(failingStart.statements).slice(1)).toEqual(['ROLLBACK']);
    expect(failingStart.released()).toBe(1);
  });

  it('should leave statements after the start alone (nested transactions use savepoints)', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async (manager) => {
      await manager.query('START TRANSACTION');
    }, hospitalA);
    expect(sqlOf(statements).slice(1)).toEqual(['START TRANSACTION', 'COMMIT']);
  });

  it('should have no actor outside run()', () => {
    const tx = new TransactionHost(fakeDataSource().dataSource);
    expect(tx.actor).toBeUndefined();
    expect(tx.inTransaction).toBe(false);
  });

  it('should join an open transaction without setting the actor again, but never for another organisation', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async () => {
      await tx.run(() => Promise.resolve(), hospitalA);
      await tx.run(() => Promise.resolve(), SYSTEM_ACTOR);
      await expect(tx.run(() => Promise.resolve(), organisationActor('h-b', 'hospital'))).rejects.toThrow(
        /cannot be joined/,
      );
    }, hospitalA);
    expect(statements).toHaveLength(2);
  });

  it('should elevate inside a transaction and restore the organisation afterwards, even on failure', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async () => {
      await expect(tx.elevated(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(tx.actor).toEqual(hospitalA);
    }, hospitalA);
    expect(sqlOf(statements).slice(1)).toEqual([
      `SELECT set_config('app.system', 'on', true)`,
      `SELECT set_config('app.system', 'off', true)`,
      'COMMIT',
    ]);
    await expect(tx.elevated(() => Promise.resolve())).rejects.toThrow(/open transaction/);
  });

  it('should refuse an organisation actor without an id and keep the reason of a system actor', () => {
    expect(() => organisationActor('', 'hospital')).toThrow();
    expect(systemActor('sweeper', 'ops-1')).toEqual({ kind: 'system', reason: 'sweeper', userId: 'ops-1' });
  });

  it('should name the runtime role after the schema, within 63 characters', () => {
    expect(runtimeRoleOf('rehab_site')).toBe('rehab_site_runtime');
    expect(runtimeRoleOf('x'.repeat(63))).toHaveLength(63);
  });
});

describe('TransactionHost deferred writes', () => {
  const buffered = (tx: TransactionHost, key: string, row: string) =>
    tx
      .deferred(
        key,
        () => [] as string[],
        (rows) => (bind) => `INSERT INTO ${key} VALUES ${rows.map((r) => `(${bind(r)})`).join(', ')}`,
      )
      ?.push(row);

  it('should write all buffers in one statement, in registration order, after the work and before commit', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async () => {
      buffered(tx, 'audit', 'a1');
      buffered(tx, 'outbox', 'o1');
      buffered(tx, 'audit', 'a2');
      await tx.manager.query('UPDATE work');
      // A joined transaction buffers into the outer unit of work.
      await tx.run(() => Promise.resolve(buffered(tx, 'outbox', 'o2')), SYSTEM_ACTOR);
    }, SYSTEM_ACTOR);
    expect(statements.slice(1)).toEqual([
      ['UPDATE work', undefined],
      [
        'WITH w1 AS (INSERT INTO audit VALUES ($1), ($2)), w2 AS (INSERT INTO outbox VALUES ($3), ($4)) SELECT 1',
        ['a1', 'a2', 'o1', 'o2'],
      ],
      ['COMMIT', undefined],
    ]);
  });

  it('should write a single buffer as its own statement, and nothing for a writer with nothing to write', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(() => {
      buffered(tx, 'audit', 'a1');
      tx.deferred(
        'empty',
        () => [],
        () => undefined,
      );
      return Promise.resolve();
    }, SYSTEM_ACTOR);
    expect(statements.slice(1)).toEqual([
      ['INSERT INTO audit VALUES ($1)', ['a1']],
      ['COMMIT', undefined],
    ]);
  });

  it('should flush early on demand and start a new buffer for later writes', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async () => {
      buffered(tx, 'outbox', 'o1');
      await tx.flushDeferred('outbox');
      await tx.manager.query('UPDATE outbox');
      await tx.flushDeferred('outbox');
      buffered(tx, 'outbox', 'o2');
    }, SYSTEM_ACTOR);
    expect(statements.slice(1)).toEqual([
      ['INSERT INTO outbox VALUES ($1)', ['o1']],
      ['UPDATE outbox', undefined],
      ['INSERT INTO outbox VALUES ($1)', ['o2']],
      ['COMMIT', undefined],
    ]);
  });

  it('should give a detached transaction its own unit of work, and nothing outside one', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    expect(
      tx.deferred(
        'audit',
        () => [],
        () => undefined,
      ),
    ).toBeUndefined();
    await tx.run(async () => {
      buffered(tx, 'audit', 'outer');
      await tx.runDetached(() => Promise.resolve(buffered(tx, 'audit', 'inner')), SYSTEM_ACTOR);
      expect(statements).toContainEqual(['INSERT INTO audit VALUES ($1)', ['inner']]);
      expect(statements).not.toContainEqual(['INSERT INTO audit VALUES ($1)', ['outer']]);
    }, SYSTEM_ACTOR);
    expect(statements).toContainEqual(['INSERT INTO audit VALUES ($1)', ['outer']]);
  });

  it('should run flushes (and those they register) before the writes they may add to', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(() => {
      buffered(tx, 'audit', 'a1');
      tx.beforeCommit('first', async () => {
        await tx.manager.query('first');
        buffered(tx, 'outbox', 'o1');
        tx.beforeCommit('second', () => tx.manager.query('second').then(() => undefined));
      });
      return Promise.resolve();
    }, SYSTEM_ACTOR);
    expect(sqlOf(statements).slice(1)).toEqual([
      'first',
      'second',
      'WITH w1 AS (INSERT INTO audit VALUES ($1)), w2 AS (INSERT INTO outbox VALUES ($2)) SELECT 1',
      'COMMIT',
    ]);
    expect(() => tx.beforeCommit('outside', () => Promise.resolve())).toThrow(/open transaction/);
  });

  it('should roll back the transaction when a flush or the deferred write fails', async () => {
    const flushing = fakeDataSource();
    const tx = new TransactionHost(flushing.dataSource);
    await expect(
      tx.run(() => {
        tx.beforeCommit('broken', () => Promise.reject(new Error('flush failed')));
        return Promise.resolve('done');
      }, SYSTEM_ACTOR),
    ).rejects.toThrow('flush failed');
    expect(sqlOf(flushing.statements).slice(1)).toEqual(['ROLLBACK']);

    const writing = fakeDataSource({ failing: /^INSERT/ });
    const writer = new TransactionHost(writing.dataSource);
    await expect(
      writer.run(() => Promise.resolve(buffered(writer, 'audit', 'a1')), SYSTEM_ACTOR),
    ).rejects.toThrow(/failed/);
    expect(sqlOf(writing.statements).slice(1)).toEqual(['INSERT INTO audit VALUES ($1)', 'ROLLBACK']);
    expect(writing.released()).toBe(1);
  });
});
