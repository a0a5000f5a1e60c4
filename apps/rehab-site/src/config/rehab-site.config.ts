import { ColourGradePolicy } from '@app/contracts';
import { integerFromEnv } from '@app/core';
import { loadWebhookSettings, WebhookSettings } from '@app/webhooks';

/** Rehab-site rules as configuration (environment), validated at boot. */
export interface RehabSiteConfig {
  /** Hours a site has to answer an assignment (`SITE_ANSWER_WINDOW_HOURS`, default 72). */
  readonly answerWindowHours: number;
  /** Shorter window for higher risk (`SITE_ANSWER_WINDOW_HIGH_RISK_HOURS`, default 24). */
  readonly answerWindowHighRiskHours: number;
  /** Risk level from which the shorter window applies (`SITE_HIGH_RISK_FROM_LEVEL`, default 2). */
  readonly highRiskFromLevel: number;
  /** Sites a referral is offered to before it goes to the county centre for manual placement (`SITE_MAX_HOPS`, default 5). */
  readonly maxHops: number;
  /** How often the escalation sweeper looks for overdue answers (`ESCALATION_SWEEP_INTERVAL_MS`, default 10000). */
  readonly sweepIntervalMs: number;
  /** Sites' webhooks (`WEBHOOK_POLL_INTERVAL_MS`, `WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_BACKOFF_MS`). */
  readonly webhooks: WebhookSettings;
  /** Days a site keeps a readmitted patient's place before it is given back (`GREEN_PLACE_HOLD_DAYS`, default 30). */
  readonly placeHoldDays: number;
  /**
   * A periodic assessment at or above this risk (or an unstable condition) re-grades the patient into the
   * green channel, as a relapse report does (`GREEN_REGRADE_FROM_RISK_LEVEL`, default 3).
   */
  readonly regradeFromRiskLevel: number;
  /**
   * The one colour-grade table of the bus (`COLOUR_GRADE_RULES`, shared with hospital-intake and registration):
   * every periodic assessment recomputes the referral's grade with it (分色动态管理).
   */
  readonly colourGrades: ColourGradePolicy;
  /** Largest page of the site referral list (`SITE_PAGE_LIMIT_MAX`, default 100). */
  readonly pageLimitMax: number;
  /** Highest latest-assessment risk level ready for employment (`SITE_EMPLOYMENT_MAX_RISK_LEVEL`, default 1). */
  readonly employmentMaxRiskLevel: number;
  /**
   * Days before a plan's review date at which `referral.periodic-assessment-due` is raised
   * (`SITE_ASSESSMENT_DUE_NOTICE_DAYS`, default 7); the review date passing raises `…-overdue`.
   */
  readonly assessmentDueNoticeDays: number;
}

export const REHAB_SITE_CONFIG = Symbol('REHAB_SITE_CONFIG');

/** Directory administration is for ops-admin JWTs (@app/auth); there is no separate admin key. */
export function loadRehabSiteConfig(env: NodeJS.ProcessEnv = process.env): RehabSiteConfig {
  return {
    answerWindowHours: integerFromEnv(env, 'SITE_ANSWER_WINDOW_HOURS', 72, 1, 24 * 30),
    answerWindowHighRiskHours: integerFromEnv(env, 'SITE_ANSWER_WINDOW_HIGH_RISK_HOURS', 24, 1, 24 * 30),
    highRiskFromLevel: integerFromEnv(env, 'SITE_HIGH_RISK_FROM_LEVEL', 2, 0, 5),
    maxHops: integerFromEnv(env, 'SITE_MAX_HOPS', 5, 1, 50),
    sweepIntervalMs: integerFromEnv(env, 'ESCALATION_SWEEP_INTERVAL_MS', 10_000, 50, 3_600_000),
    webhooks: loadWebhookSettings(env),
    pageLimitMax: integerFromEnv(env, 'SITE_PAGE_LIMIT_MAX', 100, 1, 1000),
    employmentMaxRiskLevel: integerFromEnv(env, 'SITE_EMPLOYMENT_MAX_RISK_LEVEL', 1, 0, 5),
    placeHoldDays: integerFromEnv(env, 'GREEN_PLACE_HOLD_DAYS', 30, 0, 365),
    regradeFromRiskLevel: integerFromEnv(env, 'GREEN_REGRADE_FROM_RISK_LEVEL', 3, 0, 5),
    colourGrades: ColourGradePolicy.fromEnv(env),
    assessmentDueNoticeDays: integerFromEnv(env, 'SITE_ASSESSMENT_DUE_NOTICE_DAYS', 7, 0, 90),
  };
}

/** The answer window for a referral of this risk level, in milliseconds. */
export function answerWindowMs(config: RehabSiteConfig, riskLevel: number): number {
  const hours =
    riskLevel >= config.highRiskFromLevel ? config.answerWindowHighRiskHours : config.answerWindowHours;
  return hours * 3_600_000;
}
