import { readFileSync } from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  validateSync,
} from 'class-validator';
import { ColourGradePolicy, CONSENT_PURPOSES, ConsentPurpose } from '@app/contracts';
import { ConfigurationError, HolidayCalendarData, parseHolidayCalendar } from '@app/core';

/** The domain rules of registration, read from the environment and validated at boot. */
export interface RegistrationConfig {
  /** Verify & register within this many working days of the application (转介管理办法: 5). */
  readonly registerWithinWorkingDays: number;
  /** Refer to a site within this many working days of registration (转介管理办法: 5). */
  readonly referToSiteWithinWorkingDays: number;
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
  /** Days before 1 January of a year with no holiday calendar that ops are alerted (HOLIDAY_CALENDAR_MISSING). */
  readonly holidayCalendarLeadDays: number;
  /** The risk policy (colour grade and community eligibility), shared with hospital-intake. */
  readonly riskPolicy: ColourGradePolicy;
  /** How notices reach the patient and guardian (NOTICE_SENDER, the gateway's settings, retries). */
  readonly notices: NoticeSettings;
}

/** `log`: the development sender (a log line without PII); `sms-gateway`: the SMS gateway over HTTP. */
export const NOTICE_SENDER_KINDS = ['log', 'sms-gateway'] as const;
export type NoticeSenderKind = (typeof NOTICE_SENDER_KINDS)[number];

export interface SmsGatewaySettings {
  /** Base URL; messages are POSTed to `<url>/messages`. */
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>`. */
  readonly apiKey: string;
  /** HMAC-SHA256 secret the gateway signs its delivery receipts with (X-Gateway-Signature). */
  readonly callbackSecret: string;
  /** One request's deadline. */
  readonly timeoutMs: number;
}

export interface NoticeSettings {
  readonly sender: NoticeSenderKind;
  /** Required when `sender` is `sms-gateway`. */
  readonly smsGateway?: SmsGatewaySettings;
  /** Attempts before a notice is marked failed. */
  readonly maxAttempts: number;
  /** Backoff before attempt n+1: base × 2^(n−1), capped at one hour. */
  readonly retryBaseMs: number;
  /** How often the dispatcher runs (0 = never on its own; tests call dispatch()). */
  readonly dispatchIntervalMs: number;
  /** A claimed notice whose send did not finish in this time (crash) is sent again under the same id. */
  readonly leaseMs: number;
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
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(60)
  REFER_TO_SITE_WITHIN_WORKING_DAYS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(14)
  @Max(180)
  HOLIDAY_CALENDAR_LEAD_DAYS?: number;

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

  @IsOptional()
  @IsIn(NOTICE_SENDER_KINDS, { message: `NOTICE_SENDER must be one of: ${NOTICE_SENDER_KINDS.join(', ')}` })
  NOTICE_SENDER?: NoticeSenderKind;

  @ValidateIf((o: RegistrationEnvironment) => o.NOTICE_SENDER === 'sms-gateway')
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'SMS_GATEWAY_URL must be an http(s) URL when NOTICE_SENDER=sms-gateway' },
  )
  SMS_GATEWAY_URL?: string;

  @ValidateIf((o: RegistrationEnvironment) => o.NOTICE_SENDER === 'sms-gateway')
  @IsString()
  @Length(16, 512, {
    message: 'SMS_GATEWAY_API_KEY must be 16–512 characters when NOTICE_SENDER=sms-gateway',
  })
  SMS_GATEWAY_API_KEY?: string;

  @ValidateIf((o: RegistrationEnvironment) => o.NOTICE_SENDER === 'sms-gateway')
  @IsString()
  @Length(32, 512, {
    message: 'SMS_GATEWAY_CALLBACK_SECRET must be 32–512 characters when NOTICE_SENDER=sms-gateway',
  })
  SMS_GATEWAY_CALLBACK_SECRET?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60_000)
  SMS_GATEWAY_TIMEOUT_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(20)
  NOTICE_MAX_ATTEMPTS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  NOTICE_RETRY_BASE_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  NOTICE_DISPATCH_INTERVAL_MS?: number;
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
      const parsed = parseHolidayCalendar(JSON.parse(readFileSync(vars.HOLIDAY_CALENDAR_FILE, 'utf8')));
      holidayCalendar = parsed.data;
      lines.push(...parsed.problems.map((p) => `HOLIDAY_CALENDAR_FILE: ${p}`));
    } catch (error) {
      lines.push(`HOLIDAY_CALENDAR_FILE could not be read as JSON: ${(error as Error).message}`);
    }
  }
  let riskPolicy: ColourGradePolicy | undefined;
  try {
    riskPolicy = ColourGradePolicy.fromEnv(env);
  } catch (error) {
    lines.push((error as Error).message);
  }
  if (lines.length > 0 || !riskPolicy) {
    throw new ConfigurationError(`Invalid configuration for registration:\n  - ${lines.join('\n  - ')}`);
  }
  return {
    registerWithinWorkingDays: vars.REGISTER_WITHIN_WORKING_DAYS ?? 5,
    referToSiteWithinWorkingDays: vars.REFER_TO_SITE_WITHIN_WORKING_DAYS ?? 5,
    routingPurposes: (vars.ROUTING_CONSENT_PURPOSES ?? 'community-rehab').split(',') as ConsentPurpose[],
    consentReminderIntervalHours: vars.CONSENT_REMINDER_INTERVAL_HOURS ?? 72,
    consentExpiryDays: vars.CONSENT_EXPIRY_DAYS ?? 30,
    sweepIntervalMs: vars.REGISTRATION_SWEEP_INTERVAL_MS ?? 60_000,
    holidayCalendar,
    holidayCalendarLeadDays: vars.HOLIDAY_CALENDAR_LEAD_DAYS ?? 42,
    riskPolicy,
    notices: {
      sender: vars.NOTICE_SENDER ?? 'log',
      smsGateway:
        vars.NOTICE_SENDER === 'sms-gateway'
          ? {
              url: vars.SMS_GATEWAY_URL!.replace(/\/+$/, ''),
              apiKey: vars.SMS_GATEWAY_API_KEY!,
              callbackSecret: vars.SMS_GATEWAY_CALLBACK_SECRET!,
              timeoutMs: vars.SMS_GATEWAY_TIMEOUT_MS ?? 5_000,
            }
          : undefined,
      maxAttempts: vars.NOTICE_MAX_ATTEMPTS ?? 5,
      retryBaseMs: vars.NOTICE_RETRY_BASE_MS ?? 60_000,
      dispatchIntervalMs: vars.NOTICE_DISPATCH_INTERVAL_MS ?? 5_000,
      leaseMs: 5 * 60_000,
    },
  };
}
