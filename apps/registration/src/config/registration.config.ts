import { readFileSync } from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { CONSENT_PURPOSES, ConsentPurpose } from '@app/contracts';
import { ConfigurationError, HolidayCalendarData } from '@app/core';

/** The domain rules of registration, read from the environment and validated at boot. */
export interface RegistrationConfig {
  /** Verify & register within this many working days of the application (转介管理办法: 5). */
  readonly registerWithinWorkingDays: number;
  /** Purposes a patient must have a valid consent for before being routed to a site. */
  readonly routingPurposes: readonly ConsentPurpose[];
  /** Remind every this many hours while awaiting consent. */
  readonly consentReminderIntervalHours: number;
  /** Awaiting consent longer than this many days ends the application (referral.registration-expired). */
  readonly consentExpiryDays: number;
  /** How often the deadline sweeper runs (0 = never on its own; tests call sweep()). */
  readonly sweepIntervalMs: number;
  /** Extra holiday years (JSON file with the HolidayCalendarData shape), merged over the built-in ones. */
  readonly holidayCalendar?: HolidayCalendarData;
}

export const REGISTRATION_CONFIG = Symbol('REGISTRATION_CONFIG');

class RegistrationEnvironment {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60)
  REGISTER_WITHIN_WORKING_DAYS?: number;

  @IsOptional()
  @Matches(new RegExp(`^(${CONSENT_PURPOSES.join('|')})(,(${CONSENT_PURPOSES.join('|')}))*$`), {
    message: `ROUTING_CONSENT_PURPOSES must be a comma-separated list of: ${CONSENT_PURPOSES.join(', ')}`,
  })
  ROUTING_CONSENT_PURPOSES?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 90)
  CONSENT_REMINDER_INTERVAL_HOURS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  CONSENT_EXPIRY_DAYS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  REGISTRATION_SWEEP_INTERVAL_MS?: number;

  @IsOptional()
  @IsString()
  HOLIDAY_CALENDAR_FILE?: string;
}

export function loadRegistrationConfig(env: NodeJS.ProcessEnv = process.env): RegistrationConfig {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const vars = plainToInstance(RegistrationEnvironment, present);
  const errors = validateSync(vars, { whitelist: false, forbidUnknownValues: false });
  const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
  let holidayCalendar: HolidayCalendarData | undefined;
  if (vars.HOLIDAY_CALENDAR_FILE) {
    try {
      holidayCalendar = JSON.parse(readFileSync(vars.HOLIDAY_CALENDAR_FILE, 'utf8')) as HolidayCalendarData;
    } catch (error) {
      lines.push(`HOLIDAY_CALENDAR_FILE could not be read as JSON: ${(error as Error).message}`);
    }
  }
  if (lines.length > 0) {
    throw new ConfigurationError(`Invalid configuration for registration:\n  - ${lines.join('\n  - ')}`);
  }
  return {
    registerWithinWorkingDays: vars.REGISTER_WITHIN_WORKING_DAYS ?? 5,
    routingPurposes: (vars.ROUTING_CONSENT_PURPOSES ?? 'community-rehab').split(',') as ConsentPurpose[],
    consentReminderIntervalHours: vars.CONSENT_REMINDER_INTERVAL_HOURS ?? 72,
    consentExpiryDays: vars.CONSENT_EXPIRY_DAYS ?? 30,
    sweepIntervalMs: vars.REGISTRATION_SWEEP_INTERVAL_MS ?? 60_000,
    holidayCalendar,
  };
}
