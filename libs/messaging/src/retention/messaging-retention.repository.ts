import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

/**
 * Deletes old messaging bookkeeping in bounded batches (one short statement each, oldest first, rows another
 * transaction holds skipped). Ages are measured against the database clock, which wrote the timestamps.
 */
@Injectable()
export class MessagingRetentionRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Published (or cancelled) outbox rows older than `hours`; unsent rows are never touched. */
  pruneOutbox(hours: number, batchSize: number): Promise<number> {
    return this.deleteBatch(
      'outbox',
      `(published_at IS NOT NULL AND published_at < now() - make_interval(hours => $1))
        OR (cancelled_at IS NOT NULL AND cancelled_at < now() - make_interval(hours => $1))`,
      hours,
      batchSize,
    );
  }

  /** Inbox rows whose event was handled more than `days` ago. */
  pruneInbox(days: number, batchSize: number): Promise<number> {
    return this.deleteBatch('inbox', `processed_at < now() - make_interval(days => $1)`, days, batchSize);
  }

  /** Dead letters replayed more than `days` ago (the replay is in the stream and in the consumers' inboxes). */
  pruneReplayedDeadLetters(days: number, batchSize: number): Promise<number> {
    return this.deleteBatch(
      'dead_letter',
      `replayed_at IS NOT NULL AND replayed_at < now() - make_interval(days => $1)`,
      days,
      batchSize,
    );
  }

  /** Dead letters never replayed, parked more than `days` ago (only when an expiry is configured). */
  expireDeadLetters(days: number, batchSize: number): Promise<number> {
    return this.deleteBatch(
      'dead_letter',
      `replayed_at IS NULL AND dead_lettered_at < now() - make_interval(days => $1)`,
      days,
      batchSize,
    );
  }

  private async deleteBatch(
    table: string,
    condition: string,
    age: number,
    batchSize: number,
  ): Promise<number> {
    const s = this.tx.schema;
    const rows = await this.tx.manager.query<{ deleted: number }[]>(
      `WITH gone AS (
         DELETE FROM ${s}.${table} WHERE ctid IN (
           SELECT ctid FROM ${s}.${table} WHERE ${condition} LIMIT $2 FOR UPDATE SKIP LOCKED
         ) RETURNING 1
       ) SELECT count(*)::int AS deleted FROM gone`,
      [age, batchSize],
    );
    return rows[0]?.deleted ?? 0;
  }
}
