import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

/**
 * Webhooks follow Standard Webhooks (standardwebhooks.com): each POST carries `webhook-id` (the delivery id,
 * the same on every retry), `webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`), keyed with the recipient's `whsec_<base64 key>`
 * secret. The receiver recomputes the signature and refuses a timestamp more than five minutes away from its
 * clock, so a captured delivery cannot be replayed later (`verifyWebhook` is that check).
 */
export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Legacy body-only signature, still sent for secrets minted before Standard Webhooks (see `isLegacySecret`). */
export const SIGNATURE_HEADER = 'X-Signature';
export const DELIVERY_ID_HEADER = 'X-Webhook-Id';
export const EVENT_TYPE_HEADER = 'X-Event-Type';

/** A new recipient secret: `whsec_` + base64 of 32 random bytes (shown once to the recipient). */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** A secret minted before Standard Webhooks (a bare base64url string, no `whsec_` prefix). */
export function isLegacySecret(secret: string): boolean {
  return !secret.startsWith(WEBHOOK_SECRET_PREFIX);
}

/**
 * The Standard Webhooks form of a stored secret. A legacy secret keeps working unchanged: its HMAC key is its
 * UTF-8 bytes (what the body-only scheme keyed with), i.e. `whsec_` + base64 of the old secret string.
 */
export function standardWebhookSecret(secret: string): string {
  return isLegacySecret(secret)
    ? `${WEBHOOK_SECRET_PREFIX}${Buffer.from(secret, 'utf8').toString('base64')}`
    : secret;
}

/** The three Standard Webhooks headers of one attempt at `at` (wall-clock time: the receiver compares it). */
export function webhookHeaders(id: string, body: string, secret: string, at: Date): Record<string, string> {
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(Math.floor(at.getTime() / 1000)),
    [WEBHOOK_SIGNATURE_HEADER]: new Webhook(standardWebhookSecret(secret)).sign(id, at, body),
  };
}

/**
 * What a receiver does (docs/api.md, "Verifying a webhook"): the Standard Webhooks check of the library —
 * signature over id, timestamp and the exact body bytes, compared in constant time, and the timestamp within
 * five minutes of the receiver's clock. False for a forged, altered, stale (replayed) or future delivery.
 */
export function verifyWebhook(
  body: string,
  secret: string,
  headers: Record<string, string | string[] | undefined>,
): boolean {
  const single = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = single(WEBHOOK_ID_HEADER);
  const timestamp = single(WEBHOOK_TIMESTAMP_HEADER);
  const signature = single(WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestamp || !signature) return false;
  try {
    new Webhook(standardWebhookSecret(secret)).verify(body, {
      [WEBHOOK_ID_HEADER]: id,
      [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
      [WEBHOOK_SIGNATURE_HEADER]: signature,
    });
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError) return false;
    throw error;
  }
}

/** Legacy: `sha256=<hex HMAC-SHA256 of the exact body bytes with the recipient's secret>` (replayable). */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** Legacy receiver check of `X-Signature`: recompute and compare in constant time (no replay protection). */
export function verifySignature(body: string, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(body, secret));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Delay before attempt `attempts + 1`: base × 2^(attempts − 1), capped at one hour. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 20)), 3_600_000);
}
