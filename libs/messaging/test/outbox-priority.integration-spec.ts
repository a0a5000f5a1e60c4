import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EntityManager } from 'typeorm';
import { migrateUp, TransactionHost } from '@app/persistence';
import { TEST_DATABASE_URL, TestDatabase, testDatabase, uniqueName } from '@app/testing';
import { CreateMessagingTables1763900000000 } from '../src/messaging.migration';
import { OutboxRepository } from '../src/outbox/outbox.repository';

/**
 * The relay's claim on a real outbox table: with a REFERRAL backlog waiting, the green channel's rows are
 * claimed first, while one referral's rows still leave in the order they were written.
 */
describe('outbox: the green lane goes first', () => {
  let db: TestDatabase;
  let schema: string;
  let outbox: OutboxRepository;
  let manager: EntityManager;

  const insert = async (subject: string, orderingKey = randomUUID()) => {
    const id = randomUUID();
    await db.query(
      `INSERT INTO "${schema}".outbox (id, subject, event_type, ordering_key, payload) VALUES ($1, $2, $2, $3, '{}')`,
      [id, subject, orderingKey],
    );
    return id;
  };

  beforeAll(async () => {
    db = await testDatabase();
    schema = uniqueName('prio');
    await migrateUp(
      { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' },
      { entities: [], migrations: [CreateMessagingTables1763900000000] },
    );
    // The claim runs its SQL on the relay's manager; here, each statement on its own (autocommit).
    outbox = new OutboxRepository({ schema: `"${schema}"` } as TransactionHost);
    manager = {
      query: (sql: string, params: unknown[]) => db.query(sql, params),
    } as unknown as EntityManager;
  });

  afterAll(async () => {
    await db.dropSchemas(schema);
    await db.close();
  });

  it('should claim green and per-hospital rows ahead of an older referral backlog', async () => {
    for (let i = 0; i < 50; i++) await insert('referral.assessed');
    const relapse = await insert('green.relapse-reported');
    const notice = await insert('hospital.h1.green.offered');
    const claimed = await outbox.claimBatch(manager, 10);
    expect(claimed).toHaveLength(10);
    expect(claimed.slice(0, 2).map((r) => r.id)).toEqual([relapse, notice]);
    expect(claimed.slice(2).every((r) => r.subject === 'referral.assessed')).toBe(true);
  });

  it('should keep one referral’s order: its green row comes right behind its own earlier row', async () => {
    await db.query(`UPDATE "${schema}".outbox SET published_at = now()`);
    const key = randomUUID();
    const first = await insert('referral.closed', key);
    const green = await insert('green.relapse-reported', key);
    const other = await insert('referral.assessed');
    const claimed = await outbox.claimBatch(manager, 10);
    // The chain of `key` stays together, in order; its green row is no head of its own.
    expect(claimed.map((r) => r.id)).toEqual([first, green, other]);
  });

  it('should claim a key’s rows as one chain and say whether a later unsent row waits behind each', async () => {
    await db.query(`UPDATE "${schema}".outbox SET published_at = now()`);
    const key = randomUUID();
    const first = await insert('referral.discharged', key);
    const second = await insert('referral.assessed', key);
    const alone = await insert('green.relapse-reported');
    const claimed = await outbox.claimBatch(manager, 1);
    // One head (the urgent one) fits the limit; the referral's chain waits for the next round.
    expect(claimed.map((r) => [r.id, r.hasNext])).toEqual([[alone, false]]);
    await db.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE id = $1`, [alone]);
    expect((await outbox.claimBatch(manager, 10)).map((r) => [r.id, r.orderingKey, r.hasNext])).toEqual([
      [first, key, true],
      [second, key, false],
    ]);
  });

  it('should end a chain before a row that is not due or that another transaction holds', async () => {
    await db.query(`UPDATE "${schema}".outbox SET published_at = now()`);
    const waiting = randomUUID();
    const due = await insert('referral.discharged', waiting);
    const retryLater = await insert('referral.assessed', waiting);
    await insert('referral.registered', waiting);
    await db.query(
      `UPDATE "${schema}".outbox SET next_attempt_at = now() + interval '1 hour' WHERE id = $1`,
      [retryLater],
    );
    const held = randomUUID();
    const head = await insert('referral.discharged', held);
    const locked = await insert('referral.assessed', held);
    const behindLocked = await insert('referral.registered', held);
    const other = new Client({ connectionString: TEST_DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT 1 FROM "${schema}".outbox WHERE id = $1 FOR UPDATE`, [locked]);
      const claimed = await outbox.claimBatch(manager, 10);
      expect(claimed.map((r) => [r.id, r.hasNext])).toEqual([
        [due, true],
        [head, true],
      ]);
      expect(claimed.map((r) => r.id)).not.toContain(behindLocked);
    } finally {
      await other.query('ROLLBACK');
      await other.end();
    }
  });
});
