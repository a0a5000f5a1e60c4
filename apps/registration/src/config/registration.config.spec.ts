import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ColourGradePolicy } from '@app/contracts';
import { ConfigurationError } from '@app/core';
import { loadRegistrationConfig } from './registration.config';

describe(loadRegistrationConfig.name, () => {
  it('should default to the policy: 5 working days, community-rehab consent, 72 h reminders, 30 days', () => {
    expect(loadRegistrationConfig({})).toEqual({
      registerWithinWorkingDays: 5,
      referToSiteWithinWorkingDays: 5,
      routingPurposes: ['community-rehab'],
      consentReminderIntervalHours: 72,
      consentExpiryDays: 30,
      sweepIntervalMs: 60_000,
      holidayCalendar: undefined,
      holidayCalendarLeadDays: 42,
      riskPolicy: expect.any(ColourGradePolicy),
      notices: {
        sender: 'log',
        smsGateway: undefined,
        maxAttempts: 5,
        retryBaseMs: 60_000,
        dispatchIntervalMs: 5_000,
        leaseMs: 300_000,
      },
    });
  });

  it('should choose the SMS gateway sender only with its URL, key and callback secret', () => {
    expect(() => loadRegistrationConfig({ NOTICE_SENDER: 'sms-gateway' })).toThrow(
      /SMS_GATEWAY_URL must be[\s\S]*SMS_GATEWAY_API_KEY must be[\s\S]*SMS_GATEWAY_CALLBACK_SECRET must be/,
    );
    expect(() => loadRegistrationConfig({ NOTICE_SENDER: 'pigeon' })).toThrow(
      /NOTICE_SENDER must be one of: log, sms-gateway/,
    );
    expect(
      loadRegistrationConfig({
        NOTICE_SENDER: 'sms-gateway',
        SMS_GATEWAY_URL: 'http://127.0.0.1:9000/',
        SMS_GATEWAY_API_KEY: 'k'.repeat(16),
        SMS_GATEWAY_CALLBACK_SECRET: 's'.repeat(32),
        NOTICE_MAX_ATTEMPTS: '3',
      }).notices,
    ).toMatchObject({
      sender: 'sms-gateway',
      smsGateway: { url: 'http://127.0.0.1:9000', apiKey: 'k'.repeat(16), timeoutMs: 5_000 },
      maxAttempts: 3,
    });
  });

  it('should read the rules from the environment', () => {
    expect(
      loadRegistrationConfig({
        REGISTER_WITHIN_WORKING_DAYS: '3',
        ROUTING_CONSENT_PURPOSES: 'community-rehab,information-sharing',
        CONSENT_REMINDER_INTERVAL_HOURS: '24',
        CONSENT_EXPIRY_DAYS: '14',
      }),
    ).toMatchObject({
      registerWithinWorkingDays: 3,
      routingPurposes: ['community-rehab', 'information-sharing'],
      consentReminderIntervalHours: 24,
      consentExpiryDays: 14,
    });
  });

  it('should read a holiday calendar file, and name what is wrong in a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
    const good = join(dir, 'good.json');
    const bad = join(dir, 'bad.json');
    const year2027 = { holidays: [['2027-01-01', '2027-01-03']], makeUpWorkdays: ['2027-02-20'] };
    writeFileSync(good, JSON.stringify({ years: { '2027': year2027 } }));
    writeFileSync(bad, JSON.stringify({ years: { '2027': { holidays: [['2027-01-03', '2027-01-01']] } } }));

    expect(loadRegistrationConfig({ HOLIDAY_CALENDAR_FILE: good }).holidayCalendar).toEqual({
      years: { '2027': year2027 },
    });
    expect(() => loadRegistrationConfig({ HOLIDAY_CALENDAR_FILE: bad })).toThrow(
      /years\.2027\.holidays must be[\s\S]*years\.2027\.makeUpWorkdays must be/,
    );
  });

  it('should name every bad variable', () => {
    let error: unknown;
    try {
      loadRegistrationConfig({
        REGISTER_WITHIN_WORKING_DAYS: '0',
        ROUTING_CONSENT_PURPOSES: 'rehab',
        HOLIDAY_CALENDAR_FILE: '/nonexistent/holidays.json',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('REGISTER_WITHIN_WORKING_DAYS');
    expect(message).toContain('ROUTING_CONSENT_PURPOSES');
    expect(message).toContain('HOLIDAY_CALENDAR_FILE');
  });
});
