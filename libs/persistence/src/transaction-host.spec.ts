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
