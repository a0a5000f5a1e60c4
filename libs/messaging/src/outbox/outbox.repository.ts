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
   * Locks up to `limit` publishable rows, skipping rows another relay holds. Only the oldest unsent row of
   * each ordering key qualifies, so a batch never holds two rows of one key and may be published in parallel
   * without reordering a referral's events. Rows of the urgent streams (the green channel) are claimed first:
   * a REFERRAL backlog in this outbox never holds a relapse back.
   */
  async claimBatch(manager: EntityManager, limit: number): Promise<OutboxRow[]> {
    const urgent = await this.claim(manager, limit, URGENT_SUBJECT_ROOTS, []);
    if (urgent.length >= limit) return urgent;
    const rest = await this.claim(
      manager,
      limit - urgent.length,
      undefined,
      urgent.map((r) => r.id),
    );
    return [...urgent, ...rest];
  }

  /** `roots`: only subjects under these roots; `except`: rows this transaction already holds. */
  private async claim(
    manager: EntityManager,
    limit: number,
    roots: readonly string[] | undefined,
    except: readonly string[],
  ): Promise<OutboxRow[]> {
    if (roots?.length === 0) return [];
    return await manager.query<OutboxRow[]>(
      `SELECT o.id, o.seq, o.subject, o.payload, o.headers, o.attempts
         FROM ${this.table} o
        WHERE o.published_at IS NULL AND o.cancelled_at IS NULL AND o.next_attempt_at <= now()
          AND ($2::text[] IS NULL OR split_part(o.subject, '.', 1) = ANY($2::text[]))
          AND NOT (o.id = ANY($3::uuid[]))
          AND NOT EXISTS (
            SELECT 1 FROM ${this.table} p
             WHERE p.ordering_key = o.ordering_key AND p.seq < o.seq
               AND p.published_at IS NULL AND p.cancelled_at IS NULL)
        ORDER BY o.seq
        LIMIT $1
        FOR UPDATE SKIP LOCKED`,
      [limit, roots ?? null, except],
    );
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
