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
}
