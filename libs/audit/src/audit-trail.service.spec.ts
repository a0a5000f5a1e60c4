import { DataSource, EntityManager } from 'typeorm';
import { ServiceConfig } from '@app/core';
import { organisationActor, SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { AuditEntry } from './audit-event';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail.service';

const entry = (entityId: string): AuditEntry => ({
  type: 'messaging',
  subtype: 'create',
  action: 'C',
  entityType: 'referral',
  entityId,
  purposeOfUse: 'TREAT',
});

function setup() {
  const runner = {
    isTransactionActive: false,
    manager: { query: () => Promise.resolve([]) } as unknown as EntityManager,
    query: (_sql: string) => Promise.resolve([]),
    startTransaction() {
      this.isTransactionActive = true;
      return this.query('START TRANSACTION');
    },
    commitTransaction: () => Promise.resolve(),
    rollbackTransaction: () => Promise.resolve(),
    release: () => Promise.resolve(),
  };
  const dataSource = {
    options: { schema: 's' },
    createQueryRunner: () => runner,
  } as unknown as DataSource;
  const tx = new TransactionHost(dataSource);
  const appended: { actor: unknown; entityIds: string[] }[][] = [];
  const repository = {
    appendStatement: (records: { actor: unknown; entry: AuditEntry }[]) => {
      appended.push(records.map((r) => ({ actor: r.actor, entityIds: [r.entry.entityId] })));
      return () => 'INSERT INTO s.audit_event';
    },
  } as unknown as AuditRepository;
  const trail = new AuditTrail(tx, repository, { service: 'rehab-site' } as ServiceConfig);
  return { tx, trail, appended };
}

describe('AuditTrail', () => {
  it('should write the records of a unit of work in one append just before commit, with the actor', async () => {
    const { tx, trail, appended } = setup();
    const site = organisationActor('site-1', 'rehab-site');
    await tx.run(async () => {
      await trail.record(entry('r-1'));
      await tx.run(() => trail.recordAll([entry('r-2'), entry('r-3')]), SYSTEM_ACTOR);
      expect(appended).toEqual([]);
    }, site);
    expect(appended).toEqual([
      [
        { actor: site, entityIds: ['r-1'] },
        { actor: site, entityIds: ['r-2'] },
        { actor: site, entityIds: ['r-3'] },
      ],
    ]);
  });

  it('should write nothing when the unit of work fails, and refuse outside a transaction', async () => {
    const { tx, trail, appended } = setup();
    await expect(
      tx.run(async () => {
        await trail.record(entry('r-1'));
        throw new Error('rolled back');
      }, SYSTEM_ACTOR),
    ).rejects.toThrow('rolled back');
    expect(appended).toEqual([]);
    await expect(trail.record(entry('r-2'))).rejects.toThrow(/inside TransactionHost.run/);
  });
});
