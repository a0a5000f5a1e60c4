import { ConfigurationError } from './config';
import { loadRetentionConfig } from './retention.config';

describe(loadRetentionConfig.name, () => {
  it('should default to hourly rounds, a day of outbox, 400 days of inbox and three years of audit', () => {
    expect(loadRetentionConfig({})).toEqual({
      sweepIntervalMs: 3_600_000,
      batchSize: 5_000,
      outboxHours: 24,
      inboxDays: 400,
      replayedDeadLetterDays: 30,
      deadLetterMaxAgeDays: 0,
      auditDays: 1_095,
    });
  });

  it.each([
    ['INBOX_RETENTION_DAYS', '30'], // shorter than a stream keeps its messages (90 days)
    ['AUDIT_RETENTION_DAYS', '90'], // under the six months of the Cybersecurity Law
    ['OUTBOX_RETENTION_HOURS', '0'], // inside the streams' duplicate window
    ['RETENTION_BATCH_SIZE', '10'],
    ['RETENTION_SWEEP_INTERVAL_MS', '-1'],
  ])('should refuse %s=%s', (name, value) => {
    expect(() => loadRetentionConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('should refuse a dead-letter expiry that outlives the inbox rows a replay needs', () => {
    expect(() =>
      loadRetentionConfig({ DEAD_LETTER_MAX_AGE_DAYS: '400', INBOX_RETENTION_DAYS: '400' }),
    ).toThrow(ConfigurationError);
    expect(loadRetentionConfig({ DEAD_LETTER_MAX_AGE_DAYS: '365' }).deadLetterMaxAgeDays).toBe(365);
  });
});
