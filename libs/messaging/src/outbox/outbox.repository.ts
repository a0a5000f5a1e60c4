import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { URGENT_SUBJECT_ROOTS } from '@app/contracts';
import { DeferredStatement, renderStatement, TransactionHost } from '@app/persistence';

export interface OutboxRow {
  id: string;
  seq: string;
  subject: string;
  payload: string;
  headers: Record<string, string>;
  attempts: number;
  /** A later unsent row of the same ordering key waits for this one. */
  hasNext: boolean;
}

export interface NewOutboxRow {
  /** Nats-Msg-Id: the event id, or a fresh id for a dead-letter replay. */
  id: string;
  /** Registry subject (namespaced by the relay). */
  subject: string;
  eventType: string;
  /** Rows with the same key are published strictly in insertion order. */
  orderingKey: string;
  /** The structured-mode CloudEvent, as published. */
  payload: string;
  headers: Record<string, string>;
}

export interface OutboxBacklog {
  pending: number;
  oldestAgeSeconds: number;
}

/** The unit-of-work key of the outbox rows waiting for the commit. */
const PENDING_ROWS = Symbol('outbox-rows');

/**
 * All I/O on the `outbox` table of this service's schema. Rows enqueued in a transaction are buffered and
 * written in one INSERT just before it commits (in the same statement as the other deferred writes); anything that reads or changes the outbox inside
 * the transaction flushes them first, so it sees them.
 */
@Injectable()
export class OutboxRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get table(): string {
    return `${this.tx.schema}.outbox`;
  }

  /** Adds rows in the caller's transaction (written at its commit); outside one, at once. */
  async enqueue(rows: NewOutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const pending = this.tx.deferred(
      PENDING_ROWS,
      () => [] as NewOutboxRow[],
      (buffered) => (buffered.length > 0 ? this.insertStatement(buffered) : undefined),
    );
    if (pending) {
      pending.push(...rows);
      return;
    }
    const { sql, params } = renderStatement(this.insertStatement(rows));
    await this.tx.manager.query(sql, params);
  }

  /** Writes the rows enqueued so far in this transaction (before a statement that must see them). */
  flushPending(): Promise<void> {
    return this.tx.flushDeferred(PENDING_ROWS);
  }

  /**
   * The INSERT of the rows: constant text (the columns as arrays, unnested), so it is prepared once and combines
   * with the unit of work's other deferred writes. `seq` follows the rows' order (ORDER BY the ordinality), which
   * the relay keeps per ordering key. The statement trigger wakes the relays.
   */
  private insertStatement(rows: readonly NewOutboxRow[]): DeferredStatement {
    const ids = rows.map((r) => r.id);
    const subjects = rows.map((r) => r.subject);
    const eventTypes = rows.map((r) => r.eventType);
    const orderingKeys = rows.map((r) => r.orderingKey);
    const payloads = rows.map((r) => r.payload);
    const headers = rows.map((r) => JSON.stringify(r.headers));
    return (bind) =>
      `INSERT INTO ${this.table} (id, subject, event_type, ordering_key, payload, headers)
       SELECT r.id, r.subject, r.event_type, r.ordering_key, r.payload, r.headers::jsonb
         FROM unnest(${bind(ids)}::uuid[], ${bind(subjects)}::text[], ${bind(eventTypes)}::text[],
                     ${bind(orderingKeys)}::text[], ${bind(payloads)}::text[], ${bind(headers)}::text[])
              WITH ORDINALITY AS r(id, subject, event_type, ordering_key, payload, headers, n)
        ORDER BY r.n`;
  }

  /**
   * Locks up to `limit` publishable rows, skipping rows another relay holds, in one statement. Only the oldest
   * unsent row of each ordering key qualifies, so a batch never holds two rows of one key and may be published
   * in parallel without reordering a referral's events. Rows of the urgent streams (the green channel) are
   * claimed first: a REFERRAL backlog in this outbox never holds a relapse back. Each row says whether a later
   * unsent row of its key waits behind it (`hasNext`: publishing this one makes that one publishable), so the
   * relay knows whether another round can find anything without asking in an empty round.
   */
  async claimBatch(manager: EntityManager, limit: number): Promise<OutboxRow[]> {
    const rows = await manager.query<(Omit<OutboxRow, 'hasNext'> & { has_next: boolean })[]>(
      `SELECT c.id, c.seq, c.subject, c.payload, c.headers, c.attempts, c.has_next FROM (
         WITH urgent AS (${this.claimable('')} LIMIT $1 FOR UPDATE SKIP LOCKED),
              rest AS (${this.claimable('NOT')}
                        LIMIT GREATEST($1 - (SELECT count(*) FROM urgent), 0) FOR UPDATE SKIP LOCKED)
         SELECT 0 AS tier, * FROM urgent UNION ALL SELECT 1 AS tier, * FROM rest) c
       ORDER BY c.tier, c.seq`,
      [limit, URGENT_SUBJECT_ROOTS],
    );
    return rows.map(({ has_next, ...row }) => ({ ...row, hasNext: has_next }));
  }

  /** The publishable rows whose subject root is (`''`) or is not (`'NOT'`) one of `$2`, oldest first. */
  private claimable(urgency: '' | 'NOT'): string {
    const unsent = (alias: string) => `${alias}.published_at IS NULL AND ${alias}.cancelled_at IS NULL`;
    return `SELECT o.id, o.seq, o.subject, o.payload, o.headers, o.attempts,
                   EXISTS (SELECT 1 FROM ${this.table} q
                            WHERE q.ordering_key = o.ordering_key AND q.seq > o.seq AND ${unsent('q')}) AS has_next
              FROM ${this.table} o
             WHERE ${unsent('o')} AND o.next_attempt_at <= now()
               AND ${urgency} (split_part(o.subject, '.', 1) = ANY($2::text[]))
               AND NOT EXISTS (
                 SELECT 1 FROM ${this.table} p
                  WHERE p.ordering_key = o.ordering_key AND p.seq < o.seq AND ${unsent('p')})
             ORDER BY o.seq`;
  }

  async markPublished(manager: EntityManager, published: { id: string; streamSeq: number }[]): Promise<void> {
    if (published.length === 0) return;
    await manager.query(
      `UPDATE ${this.table} o SET published_at = now(), stream_seq = p.seq, attempts = o.attempts + 1, last_error = NULL
         FROM unnest($1::uuid[], $2::bigint[]) AS p(id, seq)
        WHERE o.id = p.id`,
      [published.map((p) => p.id), published.map((p) => p.streamSeq)],
    );
  }

  async markFailed(
    manager: EntityManager,
    failed: { id: string; error: string; retryInMs: number }[],
  ): Promise<void> {
    if (failed.length === 0) return;
    await manager.query(
      `UPDATE ${this.table} o SET attempts = o.attempts + 1, last_error = f.error,
              next_attempt_at = now() + make_interval(secs => f.retry_ms / 1000.0)
         FROM unnest($1::uuid[], $2::text[], $3::int[]) AS f(id, error, retry_ms)
        WHERE o.id = f.id`,
      [failed.map((f) => f.id), failed.map((f) => f.error.slice(0, 1000)), failed.map((f) => f.retryInMs)],
    );
  }

  /** Cancels unsent rows for an ordering key (e.g. consent withdrawn): they will never be published. */
  async cancelPending(orderingKey: string, reason: string): Promise<number> {
    await this.flushPending();
    const result = await this.tx.manager.query<[unknown[], number]>(
      `UPDATE ${this.table} SET cancelled_at = now(), cancel_reason = $2
        WHERE ordering_key = $1 AND published_at IS NULL AND cancelled_at IS NULL`,
      [orderingKey, reason],
    );
    return result[1];
  }

  async backlog(): Promise<OutboxBacklog> {
    await this.flushPending();
    const [row] = await this.tx.dataSource.query<{ pending: number; oldest: number }[]>(
      `SELECT count(*)::int AS pending,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float AS oldest
         FROM ${this.table} WHERE published_at IS NULL AND cancelled_at IS NULL`,
    );
    return { pending: row.pending, oldestAgeSeconds: row.oldest };
  }
}
