import { readFileSync } from 'node:fs';
import { ColourGradePolicy } from '@app/contracts';
import { ConfigurationError, integerFromEnv } from '@app/core';
import { loadWebhookSettings, WebhookSettings } from '@app/webhooks';

/** The green channel's timers and levels (minutes on the injected Clock). */
export interface GreenChannelConfig {
  /** Minutes a hospital has to acknowledge a green case (`GREEN_ACK_WINDOW_MINUTES`, default 30). */
  readonly ackWindowMinutes: number;
  /** The shorter window at high risk (`GREEN_ACK_WINDOW_HIGH_RISK_MINUTES`, default 10). */
  readonly ackWindowHighRiskMinutes: number;
  /** Risk level from which the shorter window applies (`GREEN_HIGH_RISK_FROM_LEVEL`, default 4). */
  readonly highRiskFromLevel: number;
  /** Risk level from which the case is flagged for the joint-management team (`GREEN_JOINT_MANAGEMENT_FROM_LEVEL`, default 3). */
  readonly jointManagementFromLevel: number;
  /** How often the sweeper looks for unanswered cases (`GREEN_SWEEP_INTERVAL_MS`, default 5000). */
  readonly sweepIntervalMs: number;
  /** Largest page of the green-case worklist (`GREEN_PAGE_LIMIT_MAX`, default 100). */
  readonly pageLimitMax: number;
}

/** Hospital-intake's settings, read from the environment and validated at boot. */
export interface HospitalIntakeConfig {
  /**
   * The colour-grade table (`COLOUR_GRADE_RULES`, JSON `[{maxRisk, conditions, grade}]`, first match
   * wins) and the highest risk eligible for community rehab (`MAX_COMMUNITY_RISK`, never above 2).
   */
  readonly colourGrades: ColourGradePolicy;
  readonly green: GreenChannelConfig;
  /** Largest page of a hospital's referral list, GET /v1/referrals (`REFERRAL_PAGE_LIMIT_MAX`, default 100). */
  readonly referralPageLimitMax: number;
  /** Hospitals' green-case webhooks (`WEBHOOK_POLL_INTERVAL_MS`, `WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_BACKOFF_MS`). */
  readonly webhooks: WebhookSettings;
  /**
   * Working days after discharge within which a discharge sent without an assessment must have it
   * (`INTAKE_ASSESSMENT_WORKING_DAYS`, 1–30, default 3); then `referral.assessment-overdue`.
   */
  readonly assessmentWithinWorkingDays: number;
  /**
   * Working days before that deadline a `referral.assessment-reminder` is sent, once per referral
   * (`INTAKE_ASSESSMENT_REMINDER_WORKING_DAYS`, 0–29, default 1; 0 = no reminders).
   */
  readonly assessmentReminderWorkingDays: number;
  /** How often due reminders and overdue assessments are looked for (`INTAKE_ASSESSMENT_SWEEP_MS`, 0 = never; default 60 s). */
  readonly assessmentSweepIntervalMs: number;
  /** Discharges kept as held because they lack registration data (see HeldDischargeService). */
  readonly held: HeldDischargeConfig;
  /** The MLLP listener for HL7v2 over TCP; undefined (INTAKE_MLLP_PORT unset) = not listening. */
  readonly mllp?: MllpConfig;
}

export interface HeldDischargeConfig {
  /**
   * Hours a held discharge may stay incomplete before ops are alerted once (`INTAKE_HELD_ALERT_AFTER_HOURS`,
   * 1–720, default 24): HELD_DISCHARGE_INCOMPLETE.
   */
  readonly alertAfterHours: number;
  /** How often held discharges past that are looked for (`INTAKE_HELD_SWEEP_MS`, 0 = never; default 60 s). */
  readonly sweepIntervalMs: number;
}

export interface MllpConfig {
  /** `INTAKE_MLLP_PORT` (0 = any free port, for tests); `INTAKE_MLLP_HOST` (default 0.0.0.0). */
  readonly port: number;
  readonly host: string;
  /**
   * Allow-list of sending facilities (MSH-4) and the registered hospital each one is
   * (`INTAKE_MLLP_FACILITIES`, `FACILITY=hospital-id` pairs separated by commas). Others are rejected (AR).
   */
  readonly facilities: Readonly<Record<string, string>>;
  /** TLS (`INTAKE_MLLP_TLS_KEY_FILE`, `INTAKE_MLLP_TLS_CERT_FILE`, optional `INTAKE_MLLP_TLS_CA_FILE` for client certificates). */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer; readonly ca?: Buffer };
  /** Largest message accepted (`INTAKE_MLLP_MAX_BYTES`, default 1 MiB). */
  readonly maxBytes: number;
}

function loadMllpConfig(env: NodeJS.ProcessEnv): MllpConfig | undefined {
  if (!env.INTAKE_MLLP_PORT?.trim()) return undefined;
  const facilities: Record<string, string> = {};
  for (const pair of (env.INTAKE_MLLP_FACILITIES ?? '').split(',').filter((p) => p.trim())) {
    const [facility, hospital] = pair.split('=').map((x) => x.trim());
    if (!facility || !hospital) {
      throw new ConfigurationError(
        'INTAKE_MLLP_FACILITIES must be FACILITY=hospital-id pairs separated by commas',
      );
    }
    facilities[facility] = hospital;
  }
  const file = (name: string) => {
    const path = env[name]?.trim();
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch {
      throw new ConfigurationError(`${name} cannot be read (${path})`);
    }
  };
  const key = file('INTAKE_MLLP_TLS_KEY_FILE');
  const cert = file('INTAKE_MLLP_TLS_CERT_FILE');
  if (!key !== !cert) {
    throw new ConfigurationError('INTAKE_MLLP_TLS_KEY_FILE and INTAKE_MLLP_TLS_CERT_FILE go together');
  }
  const ca = file('INTAKE_MLLP_TLS_CA_FILE');
  return {
    port: integerFromEnv(env, 'INTAKE_MLLP_PORT', 2575, 0, 65535),
    host: env.INTAKE_MLLP_HOST?.trim() || '0.0.0.0',
    facilities,
    ...(key && cert ? { tls: { key, cert, ...(ca ? { ca } : {}) } } : {}),
    maxBytes: integerFromEnv(env, 'INTAKE_MLLP_MAX_BYTES', 1 << 20, 1024, 16 << 20),
  };
}

export const HOSPITAL_INTAKE_CONFIG = Symbol('HOSPITAL_INTAKE_CONFIG');

export function loadHospitalIntakeConfig(env: NodeJS.ProcessEnv = process.env): HospitalIntakeConfig {
  const mllp = loadMllpConfig(env);
  return {
    colourGrades: ColourGradePolicy.fromEnv(env),
    green: {
      ackWindowMinutes: integerFromEnv(env, 'GREEN_ACK_WINDOW_MINUTES', 30, 1, 24 * 60),
      ackWindowHighRiskMinutes: integerFromEnv(env, 'GREEN_ACK_WINDOW_HIGH_RISK_MINUTES', 10, 1, 24 * 60),
      highRiskFromLevel: integerFromEnv(env, 'GREEN_HIGH_RISK_FROM_LEVEL', 4, 0, 5),
      jointManagementFromLevel: integerFromEnv(env, 'GREEN_JOINT_MANAGEMENT_FROM_LEVEL', 3, 0, 5),
      sweepIntervalMs: integerFromEnv(env, 'GREEN_SWEEP_INTERVAL_MS', 5000, 50, 3_600_000),
      pageLimitMax: integerFromEnv(env, 'GREEN_PAGE_LIMIT_MAX', 100, 1, 1000),
    },
    referralPageLimitMax: integerFromEnv(env, 'REFERRAL_PAGE_LIMIT_MAX', 100, 1, 1000),
    webhooks: loadWebhookSettings(env),
    assessmentWithinWorkingDays: integerFromEnv(env, 'INTAKE_ASSESSMENT_WORKING_DAYS', 3, 1, 30),
    assessmentReminderWorkingDays: integerFromEnv(env, 'INTAKE_ASSESSMENT_REMINDER_WORKING_DAYS', 1, 0, 29),
    assessmentSweepIntervalMs: integerFromEnv(env, 'INTAKE_ASSESSMENT_SWEEP_MS', 60_000, 0, 86_400_000),
    held: {
      alertAfterHours: integerFromEnv(env, 'INTAKE_HELD_ALERT_AFTER_HOURS', 24, 1, 720),
      sweepIntervalMs: integerFromEnv(env, 'INTAKE_HELD_SWEEP_MS', 60_000, 0, 86_400_000),
    },
    ...(mllp ? { mllp } : {}),
  };
}
