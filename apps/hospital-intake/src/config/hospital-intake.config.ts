import { ColourGradePolicy } from '@app/contracts';
import { integerFromEnv } from '@app/core';
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
  /** Hospitals' green-case webhooks (`WEBHOOK_POLL_INTERVAL_MS`, `WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_BACKOFF_MS`). */
  readonly webhooks: WebhookSettings;
}

export const HOSPITAL_INTAKE_CONFIG = Symbol('HOSPITAL_INTAKE_CONFIG');

export function loadHospitalIntakeConfig(env: NodeJS.ProcessEnv = process.env): HospitalIntakeConfig {
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
    webhooks: loadWebhookSettings(env),
  };
}
