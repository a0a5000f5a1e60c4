import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TransactionHost } from '@app/persistence';

export interface AttemptOutcome {
  status?: number;
  error?: string;
  durationMs: number;
  delivered: boolean;
  retryInMs?: number;
  giveUp: boolean;
}

export interface DueDelivery {
  id: string;
  /** The organisation the webhook belongs to (a site, a hospital). */
  recipientId: string;
  eventType: string;
  body: string;
  attempts: number;
}

/**
 * The webhook outbox (one row per notice for a recipient with a webhook, `webhook_delivery`) and its attempt
 * log (`webhook_attempt`), in the app's own schema (tables from `createWebhookTables`).
 */
@Injectable()
export class WebhookRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /** In the caller's transaction: sent only if the change commits. `subjectId` is what it is about. */
  async enqueue(recipientId: string, subjectId: string, eventType: string, body: string): Promise<string> {
    const id = randomUUID();
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.webhook_delivery (id, recipient_id, subject_id, event_type, body) VALUES ($1, $2, $3, $4, $5)`,
      [id, recipientId, subjectId, eventType, body],
    );
    return id;
  }

  /** Stops undelivered notices about one subject (e.g. a referral whose consent was withdrawn). */
  async cancelForSubject(subjectId: string, reason: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.webhook_delivery SET given_up_at = now(), last_error = $2
        WHERE subject_id = $1 AND delivered_at IS NULL AND given_up_at IS NULL`,
      [subjectId, reason],
    );
  }

  async claimDue(manager: EntityManager, limit: number): Promise<DueDelivery[]> {
    const rows = await manager.query<
      { id: string; recipient_id: string; event_type: string; body: string; attempts: number }[]
    >(
      `SELECT id, recipient_id, event_type, body, attempts FROM ${this.s}.webhook_delivery
        WHERE delivered_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= now()
        ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      recipientId: r.recipient_id,
      eventType: r.event_type,
      body: r.body,
      attempts: r.attempts,
    }));
  }

  async recordAttempt(manager: EntityManager, delivery: DueDelivery, outcome: AttemptOutcome): Promise<void> {
    const attempt = delivery.attempts + 1;
    await manager.query(
      `INSERT INTO ${this.s}.webhook_attempt (delivery_id, attempt, status, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
      [
        delivery.id,
        attempt,
        outcome.status ?? null,
        outcome.error?.slice(0, 1000) ?? null,
        Math.round(outcome.durationMs),
      ],
    );
    await manager.query(
      `UPDATE ${this.s}.webhook_delivery SET attempts = $2, last_status = $3, last_error = $4,
              delivered_at = CASE WHEN $5 THEN now() END,
              given_up_at = CASE WHEN $6 THEN now() END,
              next_attempt_at = now() + make_interval(secs => $7 / 1000.0)
        WHERE id = $1`,
      [
        delivery.id,
        attempt,
        outcome.status ?? null,
        outcome.error?.slice(0, 1000) ?? null,
        outcome.delivered,
        outcome.giveUp && !outcome.delivered,
        outcome.retryInMs ?? 0,
      ],
    );
  }
}
