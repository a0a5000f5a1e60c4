import { createHmac, timingSafeEqual } from 'node:crypto';
import { SmsGatewaySettings } from '../config/registration.config';
import { NoticeSender, OutgoingNotice, SendResult, TransientSendError } from './notice-sender';

/**
 * The SMS gateway over HTTP. `POST <url>/messages` with `Authorization: Bearer <apiKey>` and
 * `{ clientReference, to, templateCode, params, text }`; the gateway answers 2xx `{ messageId, status }`
 * (`accepted` or `delivered`) and treats a repeated clientReference as the same message (a resend after a crash
 * is not a second SMS). 4xx other than 408/429 is a permanent refusal; anything else is retried.
 */
export class SmsGatewayNoticeSender implements NoticeSender {
  readonly name = 'sms-gateway';

  constructor(private readonly settings: SmsGatewaySettings) {}

  async send(notice: OutgoingNotice): Promise<SendResult> {
    let response: Response;
    try {
      response = await fetch(`${this.settings.url}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.settings.apiKey}` },
        body: JSON.stringify({
          clientReference: notice.noticeId,
          to: notice.to,
          templateCode: notice.templateCode,
          params: notice.params,
          text: notice.text,
        }),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      throw new TransientSendError(`gateway unreachable: ${(error as Error).name}`);
    }
    const body = (await response.json().catch(() => ({}))) as {
      messageId?: unknown;
      status?: unknown;
      error?: unknown;
    };
    if (response.ok && typeof body.messageId === 'string' && body.messageId.length > 0) {
      return { status: body.status === 'delivered' ? 'delivered' : 'accepted', deliveryId: body.messageId };
    }
    if (response.ok) throw new TransientSendError('gateway answered without a message id');
    if (
      response.status >= 400 &&
      response.status < 500 &&
      response.status !== 408 &&
      response.status !== 429
    ) {
      const code = typeof body.error === 'string' ? body.error.slice(0, 100) : 'refused';
      return { status: 'rejected', reason: `gateway ${response.status}: ${code}` };
    }
    throw new TransientSendError(`gateway ${response.status}`);
  }
}

/** The fields a delivery receipt's signature covers, in this order. */
export function deliveryReceiptPayload(receipt: {
  messageId: string;
  status: string;
  reason?: string;
  at: string;
}): string {
  return [receipt.messageId, receipt.status, receipt.reason ?? '', receipt.at].join('\n');
}

/** `sha256=<hex HMAC-SHA256 of deliveryReceiptPayload with the callback secret>` (what the gateway sends). */
export function signDeliveryReceipt(
  receipt: { messageId: string; status: string; reason?: string; at: string },
  secret: string,
): string {
  return `sha256=${createHmac('sha256', secret).update(deliveryReceiptPayload(receipt), 'utf8').digest('hex')}`;
}

export function verifyDeliveryReceipt(
  receipt: { messageId: string; status: string; reason?: string; at: string },
  secret: string,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const expected = Buffer.from(signDeliveryReceipt(receipt, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
