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
