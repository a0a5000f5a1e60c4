import { integerFromEnv } from '@app/core';
import { loadWebhookSettings, WebhookSettings } from '@app/webhooks';

/** Employment-referral rules as configuration (environment), validated at boot. */
export interface EmploymentReferralConfig {
  /** Providers a referral is offered to before ops place it by hand (`EMPLOYMENT_MAX_HOPS`, default 3). */
  readonly maxHops: number;
  /** Days after a retention check falls due before it is overdue (`RETENTION_CHECK_GRACE_DAYS`, default 14). */
  readonly retentionGraceDays: number;
  /** How often the retention sweeper looks for overdue checks (`RETENTION_SWEEP_INTERVAL_MS`, default 60000). */
  readonly sweepIntervalMs: number;
  /** Largest page of the provider referral list (`PROVIDER_PAGE_LIMIT_MAX`, default 100). */
  readonly pageLimitMax: number;
  /** Providers' webhooks (`WEBHOOK_POLL_INTERVAL_MS`, `WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_BACKOFF_MS`). */
  readonly webhooks: WebhookSettings;
}

export const EMPLOYMENT_REFERRAL_CONFIG = Symbol('EMPLOYMENT_REFERRAL_CONFIG');

export function loadEmploymentReferralConfig(env: NodeJS.ProcessEnv = process.env): EmploymentReferralConfig {
  return {
    maxHops: integerFromEnv(env, 'EMPLOYMENT_MAX_HOPS', 3, 1, 20),
    retentionGraceDays: integerFromEnv(env, 'RETENTION_CHECK_GRACE_DAYS', 14, 0, 90),
    sweepIntervalMs: integerFromEnv(env, 'RETENTION_SWEEP_INTERVAL_MS', 60_000, 50, 3_600_000),
    pageLimitMax: integerFromEnv(env, 'PROVIDER_PAGE_LIMIT_MAX', 100, 1, 1000),
    webhooks: loadWebhookSettings(env),
  };
}
