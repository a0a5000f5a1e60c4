import { NoticeParams, NoticeTemplateCode } from './notice-templates';

/** One notice handed to a sender: the recipient's number (opened for this send only) and the rendered text. */
export interface OutgoingNotice {
  /** The notice id: the sender's idempotency key (a resend after a crash carries the same one). */
  readonly noticeId: string;
  readonly to: string;
  readonly templateCode: NoticeTemplateCode;
  readonly params: NoticeParams;
  readonly text: string;
}

/**
 * What a sender answers. `accepted`: handed over, a delivery receipt may follow (or `delivered` at once);
 * `rejected`: the gateway refused this notice for good (e.g. an invalid number), no retry.
 * A transient failure (network, timeout, 5xx, 429) is thrown as `TransientSendError`: it is retried.
 */
export type SendResult =
  | { readonly status: 'accepted' | 'delivered'; readonly deliveryId: string }
  | { readonly status: 'rejected'; readonly reason: string };

export class TransientSendError extends Error {}

/** A pluggable way to reach people: the SMS gateway, or the development log. Chosen at boot (NOTICE_SENDER). */
export interface NoticeSender {
  /** Recorded on each notice (`sms-gateway`, `log`). */
  readonly name: string;
  send(notice: OutgoingNotice): Promise<SendResult>;
}

export const NOTICE_SENDER = Symbol('NOTICE_SENDER');
