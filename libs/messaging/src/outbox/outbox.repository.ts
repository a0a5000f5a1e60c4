import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { URGENT_SUBJECT_ROOTS } from '@app/contracts';
import { DeferredStatement, renderStatement, TransactionHost } from '@app/persistence';

export interface OutboxRow {
  id: string;
  seq: string;
  /** Rows with the same key are published strictly in insertion order. */
  orderingKey: string;
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

interface RawClaimedRow {
  id: string;
  seq: string;
  ordering_key: string;
  subject: string;
  payload: string;
  headers: Record<string, string>;
  attempts: number;
  /** Heads are due; a row behind one may wait for its retry time. */
  due: boolean;
  has_next: boolean;
  /** Unsent rows of the key before this one, as the claim's snapshot saw them. */
  unsent_before: number;
}

/**
 * The claimed rows (heads in batch order, then the rows behind them by seq) as chains, a key's rows together in
 * order, each chain cut before its first row that is not due or has an unsent row before it that the claim did
 * not lock (held by another transaction, or committed since): those wait. A head has nothing unsent before it.
 */
export function contiguousChains(rows: readonly RawClaimedRow[]): OutboxRow[] {
  const chains = new Map<string, OutboxRow[]>();
  const cut = new Set<string>();
  for (const { ordering_key, has_next, due, unsent_before, ...row } of rows) {
    const chain = chains.get(ordering_key);
    if (!chain) {
      chains.set(ordering_key, [{ ...row, orderingKey: ordering_key, hasNext: has_next }]);
      continue;
    }
    if (cut.has(ordering_key)) continue;
    if (!due || unsent_before !== chain.length) {
      cut.add(ordering_key);
      continue;
    }
    chain.push({ ...row, orderingKey: ordering_key, hasNext: has_next });
  }
  return [...chains.values()].flat();
}

/** The unit-of-work key of the outbox rows waiting for the commit. */
const PENDING_ROWS = Symbol('outbox-rows');

/** Who publishes a transaction's rows right after its commit (the process's relay), and for how long it may. */
interface Handoff {
  readonly committed: (rows: NewOutboxRow[]) => void;
  readonly holdMs: number;
}

/** Where a handed-off row stands, as `handoffStates` reads it (only rows still unsent and not cancelled). */
export interface HandoffState {
  readonly id: string;
  readonly attempts: number;
  /** An unsent row of the same ordering key that this handoff does not hold comes first: the relay must send it. */
  readonly blocked: boolean;
}

/**
 * All I/O on the `outbox` table of this service's schema. Rows enqueued in a transaction are buffered and
 * written in one INSERT just before it commits (in the same statement as the other deferred writes); anything that reads or changes the outbox inside
 * the transaction flushes them first, so it sees them.
 */
@Injectable()
export class OutboxRepository {
  private handoff?: Handoff;

  constructor(private readonly tx: TransactionHost) {}

  /**
   * From now on the rows a transaction enqueues are written held from the relays for `holdMs` (their
   * `next_attempt_at` that far ahead) and, once it has committed, the rows (as written, in order) go to
   * `committed`, which publishes them (or releases them to the relays). If the process dies first, the relays send
   * them when the hold ends.
   */
  handOffTo(committed: (rows: NewOutboxRow[]) => void, holdMs: number): void {
    this.handoff = holdMs > 0 ? { committed, holdMs } : undefined;
  }

  /** The rows enqueued from now on go through the relays only. */
  stopHandoff(): void {
    this.handoff = undefined;
  }

  private get table(): string {
    return `${this.tx.schema}.outbox`;
  }

  /** Adds rows in the caller's transaction (written at its commit); outside one, at once. */
  async enqueue(rows: NewOutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    const handoff = this.handoff;
    const pending = this.tx.deferred(
      PENDING_ROWS,
      () => {
        const buffer: NewOutboxRow[] = [];
        // Created inside the unit of work: its rows are handed off when it commits (never after a rollback).
        if (handoff) this.tx.afterCommit(() => handoff.committed(buffer));
        return buffer;
      },
      (buffered) => (buffered.length > 0 ? this.insertStatement(buffered, handoff?.holdMs) : undefined),
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
   * the relay keeps per ordering key. `holdMs`: rows held for the committing process's handoff (`handOffTo`); the
   * statement trigger wakes the relays only for rows due now.
   */
  private insertStatement(rows: readonly NewOutboxRow[], holdMs?: number): DeferredStatement {
    const ids = rows.map((r) => r.id);
    const subjects = rows.map((r) => r.subject);
    const eventTypes = rows.map((r) => r.eventType);
    const orderingKeys = rows.map((r) => r.orderingKey);
    const payloads = rows.map((r) => r.payload);
    const headers = rows.map((r) => JSON.stringify(r.headers));
    return (bind) =>
      `INSERT INTO ${this.table} (id, subject, event_type, ordering_key, payload, headers, next_attempt_at)
       SELECT r.id, r.subject, r.event_type, r.ordering_key, r.payload, r.headers::jsonb,
              now() + make_interval(secs => ${bind(holdMs ?? 0)}::int / 1000.0)
         FROM unnest(${bind(ids)}::uuid[], ${bind(subjects)}::text[], ${bind(eventTypes)}::text[],
                     ${bind(orderingKeys)}::text[], ${bind(payloads)}::text[], ${bind(headers)}::text[])
              WITH ORDINALITY AS r(id, subject, event_type, ordering_key, payload, headers, n)
        ORDER BY r.n`;
  }

  /**
   * Locks publishable rows in one statement, skipping rows another relay holds, and answers them as chains: per
   * ordering key, its oldest unsent row (the head; at most `limit` heads) and the unsent rows right behind it (at
   * most `limit` in all), in order. Only a head can be claimed by a relay, so the rows behind it are this relay's
   * alone; the relay publishes a chain one row after another (each after the previous one's ack), so one
   * referral's events keep their order while a transaction that wrote several of them (hospital-intake:
   * discharged, assessed, the timeline step) leaves in one round instead of one round per row. A chain ends
   * before a row that is not due yet or where another transaction holds a row (a cancellation): what follows waits
   * for a later round. Rows of the urgent streams (the green channel) head the batch: a REFERRAL backlog in this
   * outbox never holds a relapse back. `hasNext`: a later unsent row of the key waits behind the row.
   */
  async claimBatch(manager: EntityManager, limit: number): Promise<OutboxRow[]> {
    const unsent = (alias: string) => `${alias}.published_at IS NULL AND ${alias}.cancelled_at IS NULL`;
    const columns = 'id, seq, ordering_key, subject, payload, headers, attempts';
    const rows = await manager.query<RawClaimedRow[]>(
      `SELECT c.id, c.seq, c.ordering_key, c.subject, c.payload, c.headers, c.attempts, c.due,
              EXISTS (SELECT 1 FROM ${this.table} q
                       WHERE q.ordering_key = c.ordering_key AND q.seq > c.seq AND ${unsent('q')}) AS has_next,
              (SELECT count(*) FROM ${this.table} b
                WHERE b.ordering_key = c.ordering_key AND b.seq < c.seq AND ${unsent('b')})::int AS unsent_before
         FROM (
           WITH urgent AS (${this.heads('')} LIMIT $1 FOR UPDATE SKIP LOCKED),
                rest AS (${this.heads('NOT')}
                          LIMIT GREATEST($1 - (SELECT count(*) FROM urgent), 0) FOR UPDATE SKIP LOCKED),
                heads AS (SELECT 0 AS tier, ${columns} FROM urgent UNION ALL SELECT 1 AS tier, ${columns} FROM rest),
                tails AS (
                  SELECT t.id, t.seq, t.ordering_key, t.subject, t.payload, t.headers, t.attempts,
                         t.next_attempt_at <= now() AS due
                    FROM ${this.table} t
                   WHERE ${unsent('t')} AND t.ordering_key IN (SELECT ordering_key FROM heads)
                     AND t.id NOT IN (SELECT id FROM heads)
                   ORDER BY t.seq LIMIT $1 FOR UPDATE SKIP LOCKED)
           SELECT tier, ${columns}, true AS due FROM heads
           UNION ALL SELECT 2 AS tier, ${columns}, due FROM tails) c
        ORDER BY c.tier, c.seq`,
      [limit, URGENT_SUBJECT_ROOTS],
    );
    return contiguousChains(rows);
  }

  /** The heads whose subject root is (`''`) or is not (`'NOT'`) one of `$2`: oldest unsent of their key, due. */
  private heads(urgency: '' | 'NOT'): string {
    return `SELECT o.id, o.seq, o.ordering_key, o.subject, o.payload, o.headers, o.attempts
              FROM ${this.table} o
             WHERE o.published_at IS NULL AND o.cancelled_at IS NULL AND o.next_attempt_at <= now()
               AND ${urgency} (split_part(o.subject, '.', 1) = ANY($2::text[]))
               AND NOT EXISTS (
                 SELECT 1 FROM ${this.table} p
                  WHERE p.ordering_key = o.ordering_key AND p.seq < o.seq
                    AND p.published_at IS NULL AND p.cancelled_at IS NULL)
             ORDER BY o.seq`;
  }

  /**
   * Where handed-off rows stand: those still unsent and not cancelled (a relay may have sent them once the hold
   * ended, a withdrawal may have cancelled them), each `blocked` when an unsent row of its key that is not among
   * `ids` comes before it. The rows themselves are the caller's (written by it): only their state is read.
   * Autocommit: the rows are held from the relays, not locked.
   */
  async handoffStates(ids: readonly string[]): Promise<HandoffState[]> {
    return this.tx.dataSource.query<HandoffState[]>(
      `SELECT o.id, o.attempts,
              EXISTS (SELECT 1 FROM ${this.table} b
                       WHERE b.ordering_key = o.ordering_key AND b.seq < o.seq AND b.id <> ALL($1::uuid[])
                         AND b.published_at IS NULL AND b.cancelled_at IS NULL) AS blocked
         FROM ${this.table} o
        WHERE o.id = ANY($1::uuid[]) AND o.published_at IS NULL AND o.cancelled_at IS NULL`,
      [ids],
    );
  }

  /** Ends the hold on handed-off rows the committing process will not send: the relays take them. */
  async releaseHandoff(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.tx.dataSource.query(
      `UPDATE ${this.table} SET next_attempt_at = now()
        WHERE id = ANY($1::uuid[]) AND published_at IS NULL AND next_attempt_at > now()`,
      [ids],
    );
  }

  /**
   * Marks rows sent, in the relay's transaction (its manager) or on their own (the pool's). `reportNext`: answers
   * whether an unsent row of a marked row's ordering key waits behind it (it may be claimed now).
   */
  async markPublished(
    manager: EntityManager,
    published: { id: string; streamSeq: number }[],
    reportNext = false,
  ): Promise<boolean> {
    if (published.length === 0) return false;
    // TypeORM answers an UPDATE as [rows, count].
    const [rows] = await manager.query<[{ has_next: boolean }[], number]>(
      `UPDATE ${this.table} o SET published_at = now(), stream_seq = p.seq, attempts = o.attempts + 1, last_error = NULL
         FROM unnest($1::uuid[], $2::bigint[]) AS p(id, seq)
        WHERE o.id = p.id
        ${
          reportNext
            ? `RETURNING EXISTS (SELECT 1 FROM ${this.table} q WHERE q.ordering_key = o.ordering_key
                 AND q.seq > o.seq AND q.published_at IS NULL AND q.cancelled_at IS NULL) AS has_next`
            : ''
        }`,
      [published.map((p) => p.id), published.map((p) => p.streamSeq)],
    );
    return reportNext && rows.some((r) => r.has_next);
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
