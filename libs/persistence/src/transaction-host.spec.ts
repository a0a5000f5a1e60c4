import { DataSource, EntityManager } from 'typeorm';
import { organisationActor, SYSTEM_ACTOR, systemActor } from './actor';
import { runtimeRoleOf } from './row-security';
import { TransactionHost } from './transaction-host';

/** A DataSource whose transactions record the statements sent on their manager. */
function fakeDataSource(): { dataSource: DataSource; statements: [string, unknown[] | undefined][] } {
  const statements: [string, unknown[] | undefined][] = [];
  const manager = {
    query: (sql: string, params?: unknown[]) => {
      statements.push([sql, params]);
      return Promise.resolve([]);
    },
  } as unknown as EntityManager;
  const dataSource = {
    options: { schema: 'rehab_site' },
    manager: { pool: true },
    transaction: <T>(work: (m: EntityManager) => Promise<T>) => work(manager),
  } as unknown as DataSource;
  return { dataSource, statements };
}

describe('TransactionHost actor', () => {
  const hospitalA = organisationActor('h-a', 'hospital');

  it('should set the organisation transaction-locally as the first statement', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async () => {
      expect(tx.actor).toEqual(hospitalA);
      await tx.manager.query('SELECT 1');
    }, hospitalA);
    expect(statements[0][0]).toMatch(
      /set_config\('app.organisation_id', \$1, true\).*set_config\('app.system', \$2, true\)/,
    );
    expect(statements[0][1]).toEqual(['h-a', 'off']);
    expect(statements[1][0]).toBe('SELECT 1');
  });

  it('should mark a system transaction and no organisation', async () => {
    const { dataSource, statements } = fakeDataSource();
    await new TransactionHost(dataSource).runAsSystem(() => Promise.resolve());
    expect(statements[0][1]).toEqual(['', 'on']);
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
    expect(statements).toHaveLength(1);
  });

  it('should elevate inside a transaction and restore the organisation afterwards, even on failure', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(async () => {
      await expect(tx.elevated(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      expect(tx.actor).toEqual(hospitalA);
    }, hospitalA);
    expect(statements.map(([sql]) => sql).slice(1)).toEqual([
      `SELECT set_config('app.system', 'on', true)`,
      `SELECT set_config('app.system', 'off', true)`,
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
        (rows) => tx.manager.query(`INSERT ${key} ${rows.join(',')}`).then(() => undefined),
      )
      ?.push(row);

  it('should flush each buffer once, in registration order, after the work and before commit', async () => {
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
    expect(statements.map(([sql]) => sql).slice(1)).toEqual([
      'UPDATE work',
      'INSERT audit a1,a2',
      'INSERT outbox o1,o2',
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
    expect(statements.map(([sql]) => sql).slice(1)).toEqual([
      'INSERT outbox o1',
      'UPDATE outbox',
      'INSERT outbox o2',
    ]);
  });

  it('should give a detached transaction its own unit of work, and nothing outside one', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    expect(
      tx.deferred(
        'audit',
        () => [],
        () => Promise.resolve(),
      ),
    ).toBeUndefined();
    await tx.run(async () => {
      buffered(tx, 'audit', 'outer');
      await tx.runDetached(() => Promise.resolve(buffered(tx, 'audit', 'inner')), SYSTEM_ACTOR);
      expect(statements.map(([sql]) => sql)).toContain('INSERT audit inner');
      expect(statements.map(([sql]) => sql)).not.toContain('INSERT audit outer');
    }, SYSTEM_ACTOR);
    expect(statements.map(([sql]) => sql)).toContain('INSERT audit outer');
  });

  it('should run flushes registered by a flush, and fail the transaction when a flush fails', async () => {
    const { dataSource, statements } = fakeDataSource();
    const tx = new TransactionHost(dataSource);
    await tx.run(() => {
      tx.beforeCommit('first', async () => {
        await tx.manager.query('first');
        tx.beforeCommit('second', () => tx.manager.query('second').then(() => undefined));
      });
      return Promise.resolve();
    }, SYSTEM_ACTOR);
    expect(statements.map(([sql]) => sql).slice(1)).toEqual(['first', 'second']);

    await expect(
      tx.run(() => {
        tx.beforeCommit('broken', () => Promise.reject(new Error('flush failed')));
        return Promise.resolve('done');
      }, SYSTEM_ACTOR),
    ).rejects.toThrow('flush failed');
    expect(() => tx.beforeCommit('outside', () => Promise.resolve())).toThrow(/open transaction/);
  });
});
