import { ConfigurationError, integerFromEnv } from '@app/core';

/** How an app delivers its webhooks (the same variables in every app that sends them). */
export interface WebhookSettings {
  /** How often the worker looks for due deliveries (`WEBHOOK_POLL_INTERVAL_MS`, default 1000). */
  readonly pollIntervalMs: number;
  /** Attempts before a delivery is given up (`WEBHOOK_MAX_ATTEMPTS`, default 10). */
  readonly maxAttempts: number;
  /** First retry delay, doubled each attempt up to one hour (`WEBHOOK_BACKOFF_MS`, default 2000). */
  readonly backoffMs: number;
  /**
   * Grace period of secrets minted before Standard Webhooks (no `whsec_` prefix): until this time their
   * deliveries also carry the legacy body-only `X-Signature` (`WEBHOOK_LEGACY_SIGNATURE_UNTIL`, ISO 8601;
   * unset = until the recipient's secret is rotated). New secrets never get it.
   */
  readonly legacySignatureUntil?: Date;
}

export const WEBHOOK_SETTINGS = Symbol('WEBHOOK_SETTINGS');

export function loadWebhookSettings(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const until = env.WEBHOOK_LEGACY_SIGNATURE_UNTIL?.trim();
  const legacySignatureUntil = until ? new Date(until) : undefined;
  if (
    until &&
    (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(until) ||
      isNaN(legacySignatureUntil!.getTime()))
  ) {
    throw new ConfigurationError('WEBHOOK_LEGACY_SIGNATURE_UNTIL must be an ISO 8601 date or date-time');
  }
  return {
    ...(legacySignatureUntil ? { legacySignatureUntil } : {}),
    pollIntervalMs: integerFromEnv(env, 'WEBHOOK_POLL_INTERVAL_MS', 1000, 20, 60_000),
    maxAttempts: integerFromEnv(env, 'WEBHOOK_MAX_ATTEMPTS', 10, 1, 50),
    backoffMs: integerFromEnv(env, 'WEBHOOK_BACKOFF_MS', 2000, 10, 3_600_000),
  };
}

/** Where one recipient's webhooks go, with its signing secret opened (the app keeps it sealed at rest). */
export interface WebhookTarget {
  readonly url: string;
  readonly secret: string;
}

/** The app's directory of webhook targets (sites, hospitals); undefined when the recipient has none. */
export abstract class WebhookTargets {
  abstract target(recipientId: string): Promise<WebhookTarget | undefined>;
}

/** The JSON body every webhook carries: a CloudEvent-like envelope of one notice. */
export function webhookBody(notice: {
  id: string;
  type: string;
  time: Date;
  subject: string;
  data: object;
}): string {
  return JSON.stringify({
    id: notice.id,
    type: notice.type,
    time: notice.time.toISOString(),
    subject: notice.subject,
    data: notice.data,
  });
}
