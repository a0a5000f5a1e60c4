import { ConfigurationError, integerFromEnv } from './config';

/**
 * How long each service keeps its messaging bookkeeping and its audit trail (read once at boot). The bounds are
 * what keeps the guarantees: an inbox row must outlive every way its event can come back (a stream keeps
 * messages at most 90 days; a dead letter can be replayed while it is kept), and an outbox row must outlive the
 * streams' duplicate window (20 minutes).
 */
export interface RetentionConfig {
  /** Between retention rounds (`RETENTION_SWEEP_INTERVAL_MS`, default 1 h; 0 = no pruning in this process). */
  readonly sweepIntervalMs: number;
  /** Rows deleted per statement (`RETENTION_BATCH_SIZE`, default 5000): short transactions, no long locks. */
  readonly batchSize: number;
  /** Published outbox rows are kept this long (`OUTBOX_RETENTION_HOURS`, default 24, at least 1). */
  readonly outboxHours: number;
  /** Inbox (idempotency) rows are kept this long (`INBOX_RETENTION_DAYS`, default 400, at least 100). */
  readonly inboxDays: number;
  /** Replayed dead letters are kept this long (`DEAD_LETTER_REPLAYED_RETENTION_DAYS`, default 30). */
  readonly replayedDeadLetterDays: number;
  /**
   * Dead letters never replayed expire after this long (`DEAD_LETTER_MAX_AGE_DAYS`); 0 (default) keeps them until
   * they are replayed. Must stay below `INBOX_RETENTION_DAYS` so a replay still finds the consumers' inbox rows.
   */
  readonly deadLetterMaxAgeDays: number;
  /**
   * The audit trail is kept this long (`AUDIT_RETENTION_DAYS`, default 1095 = 3 years: PIPL art. 56 keeps records
   * of personal-information processing at least three years; never less than 183 days, the Cybersecurity Law's
   * six months for network logs).
   */
  readonly auditDays: number;
}

export const MIN_INBOX_RETENTION_DAYS = 100;
export const MIN_AUDIT_RETENTION_DAYS = 183;

export function loadRetentionConfig(env: NodeJS.ProcessEnv = process.env): RetentionConfig {
  const config: RetentionConfig = {
    sweepIntervalMs: integerFromEnv(env, 'RETENTION_SWEEP_INTERVAL_MS', 3_600_000, 0, 86_400_000),
    batchSize: integerFromEnv(env, 'RETENTION_BATCH_SIZE', 5_000, 100, 100_000),
    outboxHours: integerFromEnv(env, 'OUTBOX_RETENTION_HOURS', 24, 1, 24 * 365),
    inboxDays: integerFromEnv(env, 'INBOX_RETENTION_DAYS', 400, MIN_INBOX_RETENTION_DAYS, 3_650),
    replayedDeadLetterDays: integerFromEnv(env, 'DEAD_LETTER_REPLAYED_RETENTION_DAYS', 30, 1, 3_650),
    deadLetterMaxAgeDays: integerFromEnv(env, 'DEAD_LETTER_MAX_AGE_DAYS', 0, 0, 3_650),
    auditDays: integerFromEnv(env, 'AUDIT_RETENTION_DAYS', 1_095, MIN_AUDIT_RETENTION_DAYS, 36_500),
  };
  if (config.deadLetterMaxAgeDays > 0 && config.deadLetterMaxAgeDays >= config.inboxDays) {
    throw new ConfigurationError(
      `DEAD_LETTER_MAX_AGE_DAYS (${config.deadLetterMaxAgeDays}) must be below INBOX_RETENTION_DAYS ` +
        `(${config.inboxDays}): a replayed dead letter must still find the inbox rows of the consumers that ` +
        'already handled it',
    );
  }
  return config;
}

export const RETENTION_CONFIG = Symbol('RETENTION_CONFIG');
