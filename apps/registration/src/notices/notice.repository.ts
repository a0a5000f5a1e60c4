import { Injectable } from '@nestjs/common';
import { EncryptedFieldDto } from '@app/contracts';
import { DeferredStatement, renderStatement, TransactionHost } from '@app/persistence';
import { NoticeParams, NoticeTemplateCode, RecipientRole } from './notice-templates';

/** The unit of work's buffer of notices to write at its commit. */
const PENDING_NOTICES = Symbol('pending notices');

type PendingNotice = NewNotice & { readonly now: Date };

export type NoticeStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed';

export interface NewNotice {
  readonly id: string;
  readonly idempotencyKey: string;
  readonly registrationId: string;
  readonly referralId: string | null;
  readonly recipientRole: RecipientRole;
  readonly templateCode: NoticeTemplateCode;
  readonly params: NoticeParams;
  readonly recipientMasked: string;
  readonly recipientSealed: EncryptedFieldDto;
}

/** A notice claimed for sending. */
export interface ClaimedNotice {
  readonly id: string;
  readonly templateCode: NoticeTemplateCode;
  readonly params: NoticeParams;
  readonly recipientSealed: EncryptedFieldDto | null;
  /** This attempt's number (1 for the first). */
  readonly attempts: number;
}

/** A notice as lists show it: the masked number only. */
export interface NoticeRecord {
  readonly id: string;
  readonly referralId: string | null;
  readonly recipientRole: RecipientRole;
  readonly channel: string;
  readonly templateCode: NoticeTemplateCode;
  readonly recipientMasked: string;
  readonly status: NoticeStatus;
  readonly attempts: number;
  readonly failureReason: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly failedAt: Date | null;
  readonly nextAttemptAt: Date | null;
}

interface RawNotice {
  id: string;
  referral_id: string | null;
  recipient_role: RecipientRole;
  channel: string;
  template_code: NoticeTemplateCode;
  recipient_masked: string;
  status: NoticeStatus;
  attempts: number;
  failure_reason: string | null;
  created_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  failed_at: Date | null;
  next_attempt_at: Date;
}

/** All I/O on the `notice` table (written by the service itself: callers are checked before). */
@Injectable()
export class NoticeRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /**
   * Queues the notices; one whose idempotency key is already there (a redelivered trigger) is skipped. In a
   * transaction of the service itself the rows are written at its commit, in one statement with the unit of
   * work's other deferred writes (the handler's statement budget); for an organisation's request (inside
   * `tx.elevated`) at once, while the service's visibility is on.
   */
  async enqueue(notices: readonly NewNotice[], now: Date): Promise<void> {
    if (notices.length === 0) return;
    const rows = notices.map((n) => ({ ...n, now }));
    const pending =
      this.tx.actor?.kind === 'system'
        ? this.tx.deferred(
            PENDING_NOTICES,
            () => [] as PendingNotice[],
            (buffered) => (buffered.length > 0 ? this.insertStatement(buffered) : undefined),
          )
        : undefined;
    if (pending) {
      pending.push(...rows);
      return;
    }
    const { sql, params } = renderStatement(this.insertStatement(rows));
    await this.tx.manager.query(sql, params);
  }

  /** One INSERT of every row (columns as arrays, unnested): constant text, so it combines and is prepared once. */
  private insertStatement(rows: readonly PendingNotice[]): DeferredStatement {
    return (bind) =>
      `INSERT INTO ${this.s}.notice (id, idempotency_key, registration_id, referral_id, recipient_role, channel,
         template_code, params, recipient_masked, recipient_sealed, status, next_attempt_at, created_at, updated_at)
       SELECT r.id, r.key, r.registration_id, r.referral_id, r.role, 'sms', r.template, r.params, r.masked, r.sealed,
              'queued', r.at, r.at, r.at
         FROM unnest(${bind(rows.map((r) => r.id))}::uuid[], ${bind(rows.map((r) => r.idempotencyKey))}::text[],
                     ${bind(rows.map((r) => r.registrationId))}::uuid[], ${bind(rows.map((r) => r.referralId))}::uuid[],
                     ${bind(rows.map((r) => r.recipientRole))}::text[], ${bind(rows.map((r) => r.templateCode))}::text[],
                     ${bind(rows.map((r) => JSON.stringify(r.params)))}::jsonb[],
                     ${bind(rows.map((r) => r.recipientMasked))}::text[],
                     ${bind(rows.map((r) => JSON.stringify(r.recipientSealed)))}::jsonb[],
                     ${bind(rows.map((r) => r.now))}::timestamptz[])
           AS r (id, key, registration_id, referral_id, role, template, params, masked, sealed, at)
       ON CONFLICT (idempotency_key) DO NOTHING`;
  }

  /**
   * Due notices (queued and due, or claimed by a sender whose lease ran out: it crashed mid-send) marked
   * `sending` under a lease, their attempt counted. SKIP LOCKED: replicas never claim the same notice.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedNotice[]> {
    // An UPDATE … RETURNING answers [rows, count] through TypeORM's postgres driver.
    const [rows] = await this.tx.manager.query<
      [
        {
          id: string;
          template_code: NoticeTemplateCode;
          params: NoticeParams;
          recipient_sealed: EncryptedFieldDto | null;
          attempts: number;
        }[],
        number,
      ]
    >(
      `UPDATE ${this.s}.notice n SET status = 'sending', attempts = n.attempts + 1, lease_until = $2, updated_at = $1
        WHERE n.id IN (
          SELECT id FROM ${this.s}.notice
           WHERE (status = 'queued' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until <= $1)
           ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING n.id, n.template_code, n.params, n.recipient_sealed, n.attempts`,
      [now, leaseUntil, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      templateCode: r.template_code,
      params: r.params,
      recipientSealed: r.recipient_sealed,
      attempts: r.attempts,
    }));
  }

  /** Handed to the gateway (or delivered at once): the sealed number is no longer needed and is dropped. */
  async markSent(
    id: string,
    sender: string,
    deliveryId: string,
    delivered: boolean,
    now: Date,
  ): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.notice SET status = $4, sender = $2, provider_message_id = $3, sent_at = $5,
          delivered_at = CASE WHEN $4 = 'delivered' THEN $5::timestamptz END, lease_until = NULL,
          recipient_sealed = NULL, failure_reason = NULL, updated_at = $5
        WHERE id = $1 AND status = 'sending'`,
      [id, sender, deliveryId, delivered ? 'delivered' : 'sent', now],
    );
  }

  /** A transient failure: back to the queue until `nextAttemptAt`, the reason kept. */
  async markRetry(id: string, sender: string, reason: string, nextAttemptAt: Date, now: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.notice SET status = 'queued', sender = $2, failure_reason = $3, next_attempt_at = $4,
          lease_until = NULL, updated_at = $5
        WHERE id = $1 AND status = 'sending'`,
      [id, sender, reason, nextAttemptAt, now],
    );
  }

  /** Given up (refused, or out of attempts): kept with its reason, the sealed number dropped. */
  async markFailed(id: string, sender: string | null, reason: string, now: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.notice SET status = 'failed', sender = COALESCE($2, sender), failure_reason = $3,
          failed_at = $4, lease_until = NULL, recipient_sealed = NULL, updated_at = $4
        WHERE id = $1 AND status = 'sending'`,
      [id, sender, reason, now],
    );
  }

  /**
   * The gateway's delivery receipt for one of its messages. Idempotent: a repeated receipt, or one for a notice
   * already final, changes nothing. False when no notice has that message id.
   */
  async recordReceipt(
    messageId: string,
    outcome: 'delivered' | 'failed',
    reason: string | null,
    at: Date,
    now: Date,
  ): Promise<boolean> {
    const [found] = await this.tx.manager.query<{ id: string }[]>(
      `SELECT id FROM ${this.s}.notice WHERE provider_message_id = $1 FOR UPDATE`,
      [messageId],
    );
    if (!found) return false;
    await this.tx.manager.query(
      outcome === 'delivered'
        ? `UPDATE ${this.s}.notice SET status = 'delivered', delivered_at = $2, updated_at = $3
            WHERE id = $1 AND status = 'sent'`
        : `UPDATE ${this.s}.notice SET status = 'failed', failed_at = $2, failure_reason = $4, updated_at = $3
            WHERE id = $1 AND status = 'sent'`,
      outcome === 'delivered' ? [found.id, at, now] : [found.id, at, now, reason ?? 'not delivered'],
    );
    return true;
  }

  async listByRegistration(registrationId: string, limit: number): Promise<NoticeRecord[]> {
    const rows = await this.tx.manager.query<RawNotice[]>(
      `SELECT id, referral_id, recipient_role, channel, template_code, recipient_masked, status, attempts,
              failure_reason, created_at, sent_at, delivered_at, failed_at, next_attempt_at
         FROM ${this.s}.notice WHERE registration_id = $1 ORDER BY created_at, template_code, recipient_role
        LIMIT $2`,
      [registrationId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      referralId: r.referral_id,
      recipientRole: r.recipient_role,
      channel: r.channel,
      templateCode: r.template_code,
      recipientMasked: r.recipient_masked,
      status: r.status,
      attempts: r.attempts,
      failureReason: r.failure_reason,
      createdAt: r.created_at,
      sentAt: r.sent_at,
      deliveredAt: r.delivered_at,
      failedAt: r.failed_at,
      nextAttemptAt: r.status === 'queued' ? r.next_attempt_at : null,
    }));
  }
}
