import {
  AUDIT_ACTIONS,
  AUDIT_ENTITY_TYPES,
  AUDIT_OUTCOMES,
  AUDIT_TYPES,
  AuditRetention,
  PURPOSES_OF_USE,
} from '@app/audit';
import { MessagingRetentionSweeper } from '@app/messaging';
import { SYSTEM_ACTOR } from '@app/persistence';
import {
  closeServiceHarness,
  ServiceUnderTest,
  startService,
  TestDatabase,
  testDatabase,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { DATABASE } from '../src/database';

/**
 * Retention of the messaging bookkeeping and the audit trail, on a real app schema: what is past its time goes
 * in bounded batches, what a guarantee still needs stays, and the audit trail can only shrink through the
 * guarded database function. Prints the measured cost per 1,000 rows (docs/operations.md quotes it).
 */
describe('retention: outbox, inbox, dead letters and audit trail', () => {
  let db: TestDatabase;
  let service: ServiceUnderTest;
  let s: string;
  const BATCH = 2_000;

  beforeAll(async () => {
    db = await testDatabase();
    service = await startService({
      register: (o) =>
        AppModule.register({
          ...o,
          retention: {
            sweepIntervalMs: 0, // rounds are run by the test
            batchSize: BATCH,
            outboxHours: 24,
            inboxDays: 400,
            replayedDeadLetterDays: 30,
            deadLetterMaxAgeDays: 0,
            auditDays: 1_095,
          },
        }),
      database: DATABASE,
    });
    s = `"${service.schema}"`;
  });

  afterAll(() => closeServiceHarness({ service, db }));

  const count = (table: string, where = 'true') =>
    db.count(`SELECT count(*) FROM ${s}.${table} WHERE ${where}`);

  it('should prune old published outbox rows and inbox rows in batches, keeping unsent and recent ones', async () => {
    const OLD_INBOX = 25_000;
    await db.query(
      `INSERT INTO ${s}.inbox (consumer, event_id, event_type, processed_at)
       SELECT 'retention-test', 'old-' || g, 'test.old', now() - interval '401 days' FROM generate_series(1, $1) g`,
      [OLD_INBOX],
    );
    await db.query(
      `INSERT INTO ${s}.inbox (consumer, event_id, event_type, processed_at)
       SELECT 'retention-test', 'recent-' || g, 'test.recent', now() - interval '399 days' FROM generate_series(1, 300) g`,
    );
    const outbox = (published: string | null, nextAttempt: string) =>
      db.query(
        `INSERT INTO ${s}.outbox (id, subject, event_type, ordering_key, payload, published_at, next_attempt_at)
         SELECT gen_random_uuid(), 'retention.test', 'test', 'k' || g, '{}', ${published ?? 'NULL'}, ${nextAttempt}
         FROM generate_series(1, 500) g`,
      );
    await outbox(`now() - interval '25 hours'`, 'now()'); // published long ago: goes
    await outbox(`now() - interval '23 hours'`, 'now()'); // published within the window: stays
    await outbox(null, `now() + interval '400 days'`); // never sent (old or not): always stays
    await db.query(
      `UPDATE ${s}.outbox SET created_at = now() - interval '500 days' WHERE published_at IS NULL`,
    );

    const started = process.hrtime.bigint();
    const round = await service.app.get(MessagingRetentionSweeper).prune();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;

    expect(round.inbox).toBe(OLD_INBOX);
    expect(round.outbox).toBe(500);
    expect(await count('inbox', `consumer = 'retention-test'`)).toBe(300);
    expect(await count('inbox', `event_type = 'test.old'`)).toBe(0);
    expect(await count('outbox', `subject = 'retention.test' AND published_at IS NOT NULL`)).toBe(500);
    expect(await count('outbox', `subject = 'retention.test' AND published_at IS NULL`)).toBe(500);
    // A second round finds nothing left to do.
    expect(await service.app.get(MessagingRetentionSweeper).prune()).toEqual({
      outbox: 0,
      inbox: 0,
      deadLetters: 0,
    });

    const perThousand = ms / ((round.inbox + round.outbox) / 1000);
    process.stdout.write(
      `retention: ${round.inbox + round.outbox} rows in ${ms.toFixed(0)} ms ` +
        `(${perThousand.toFixed(1)} ms per 1,000 rows, batches of ${BATCH})\n`,
    );
  });

  it('should drop replayed dead letters after their time and keep never-replayed ones until replayed', async () => {
    const letter = (suffix: string, parked: string, replayed: string | null) =>
      db.query(
        `INSERT INTO ${s}.dead_letter (id, consumer, stream, stream_seq, subject, payload, error_code,
           error_message, deliveries, dead_lettered_at, replayed_at)
         VALUES (gen_random_uuid(), 'retention-test', 'REFERRAL', $1, 'x', '{}', 'E', 'e', 1, ${parked}, ${replayed})`,
        [suffix],
      );
    await letter('1', `now() - interval '900 days'`, `now() - interval '31 days'`); // replayed long ago: goes
    await letter('2', `now() - interval '900 days'`, `now() - interval '29 days'`); // replayed recently: stays
    await letter('3', `now() - interval '900 days'`, null); // never replayed: stays (no expiry configured)

    const round = await service.app.get(MessagingRetentionSweeper).prune();

    expect(round.deadLetters).toBe(1);
    expect(await count('dead_letter', `consumer = 'retention-test'`)).toBe(2);
    expect(await count('dead_letter', `consumer = 'retention-test' AND replayed_at IS NULL`)).toBe(1);
  });

  it('should delete audit events only past the retention, only through the guarded function', async () => {
    const audit = (age: string, n: number) =>
      db.query(
        `INSERT INTO ${s}.audit_event (id, recorded, type, subtype, action, outcome, agent_type, entity_type,
           entity_id, purpose_of_use, source)
         SELECT gen_random_uuid(), now() - interval '${age}', $1, 'retention-test', $2, $3, 'system', $4,
           'retention-' || g, $5, 'test'
         FROM generate_series(1, ${n}) g`,
        [AUDIT_TYPES[0], AUDIT_ACTIONS[0], AUDIT_OUTCOMES[0], AUDIT_ENTITY_TYPES[0], PURPOSES_OF_USE[0]],
      );
    await audit('1200 days', 50);
    await audit('1000 days', 20);

    expect(await service.app.get(AuditRetention).prune()).toBe(50);
    expect(await count('audit_event', `subtype = 'retention-test'`)).toBe(20);

    // Still append-only for everyone else: a direct DELETE is refused for the owner, and the runtime role has
    // no DELETE at all; the function refuses to keep less than 183 days, whoever asks.
    await expect(db.query(`DELETE FROM ${s}.audit_event WHERE subtype = 'retention-test'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(
      db.asRuntimeRole(
        service.schema,
        SYSTEM_ACTOR,
        `DELETE FROM ${s}.audit_event WHERE subtype = 'retention-test'`,
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      db.asRuntimeRole(service.schema, SYSTEM_ACTOR, `SELECT ${s}.audit_event_prune(30, 100)`),
    ).rejects.toThrow(/at least 183 days/);
    // The flag the function sets does not leak into the caller's transaction.
    const [flags] = await db.asRuntimeRole<{ prune: string | null }>(
      service.schema,
      SYSTEM_ACTOR,
      `SELECT ${s}.audit_event_prune(1095, 100) AS n, current_setting('referral_bus.audit_prune', true) AS prune`,
    );
    expect(flags.prune).toBe('off');
    expect(await count('audit_event', `subtype = 'retention-test'`)).toBe(20);
  });
});
