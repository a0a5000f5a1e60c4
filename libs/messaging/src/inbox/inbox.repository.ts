import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

/** The idempotent-consumer record: one row per (consumer, event id), written in the effect's transaction. */
@Injectable()
export class InboxRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** True when this consumer sees the event for the first time (the row is now held by this transaction). */
  async claim(consumer: string, eventId: string, eventType: string): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.tx.schema}.inbox (consumer, event_id, event_type) VALUES ($1, $2, $3)
       ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
      [consumer, eventId, eventType],
    );
    return rows.length === 1;
  }

  /**
   * Claims a batch of events in one statement: returns the ids this consumer sees for the first time (their
   * rows are now held by this transaction). An id listed twice is claimed once.
   */
  async claimAll(
    consumer: string,
    events: readonly { eventId: string; eventType: string }[],
  ): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    const rows = await this.tx.manager.query<{ event_id: string }[]>(
      `INSERT INTO ${this.tx.schema}.inbox (consumer, event_id, event_type)
       SELECT $1, e.id, e.type FROM unnest($2::text[], $3::text[]) AS e(id, type)
       ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id`,
      [consumer, events.map((e) => e.eventId), events.map((e) => e.eventType)],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  /** Gives back claims this transaction made (events it will not handle now): they count as unseen again. */
  async releaseClaims(consumer: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.tx.manager.query(
      `DELETE FROM ${this.tx.schema}.inbox WHERE consumer = $1 AND event_id = ANY($2::text[])`,
      [consumer, eventIds],
    );
  }
}
