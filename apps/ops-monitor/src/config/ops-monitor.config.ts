import { ConfigurationError, integerFromEnv } from '@app/core';
import { WAITING_STATES, WaitingState } from '../timeline/referral-states';

/** Ops-monitor settings (environment), validated at boot. */
export interface OpsMonitorConfig {
  /**
   * Seconds a referral may wait in each state before it counts as stuck (`OPS_STUCK_AFTER_<STATE>_SECONDS`,
   * e.g. `OPS_STUCK_AFTER_REGISTERED_SECONDS`; 0 turns the check off for that state).
   */
  readonly stuckAfterSeconds: Readonly<Record<WaitingState, number>>;
  /** How often the stuck-referral sweeper runs (`OPS_STUCK_SWEEP_INTERVAL_MS`, default 30000). */
  readonly stuckSweepIntervalMs: number;
  /** Stuck referrals raised as alerts per sweep at most (`OPS_STUCK_SWEEP_BATCH`, default 200). */
  readonly stuckSweepBatch: number;
  /** How often consumer lag is read from the JetStream API (`OPS_BUS_POLL_INTERVAL_MS`, default 5000). */
  readonly busPollIntervalMs: number;
  /** Largest page of the alert and timeline lists (`OPS_PAGE_LIMIT_MAX`, default 200). */
  readonly pageLimitMax: number;
  /** Statutory indicators and the quarterly report (see docs/indicators.md). */
  readonly indicators: IndicatorSettings;
}

/** Yearly targets as fractions (0.6 = 60 %). */
export interface IndicatorTargets {
  /** 规范服务率 by year (`OPS_TARGET_STANDARD_SERVICE_RATE`, `2023:30,2024:45,2025:60`); later years keep the last. */
  readonly standardServiceRateByYear: Readonly<Record<string, number>>;
  /** Street coverage (`OPS_TARGET_COVERAGE_STREET_PERCENT`, default 50). */
  readonly coverageStreet: number;
  /** Urban-community coverage (`OPS_TARGET_COVERAGE_URBAN_COMMUNITY_PERCENT`, default 40). */
  readonly coverageUrbanCommunity: number;
  /** Township (乡镇) coverage (`OPS_TARGET_COVERAGE_TOWNSHIP_PERCENT`, default 20). */
  readonly coverageTownship: number;
  /** Community rehab rate of registered patients (`OPS_TARGET_COMMUNITY_REHAB_PERCENT`, default 90). */
  readonly communityRehabRate: number;
}

export interface IndicatorSettings {
  /** Sessions in a month that make 规范服务 (`OPS_INDICATOR_SESSIONS_PER_MONTH`, default 4). */
  readonly sessionsPerMonth: number;
  readonly targets: IndicatorTargets;
  /** Day of the month after the quarter by which the report is due (`OPS_REPORT_DUE_DAY`, default 20). */
  readonly reportDueDay: number;
  /** Days before the due date the reminder alert is raised (`OPS_REPORT_REMINDER_LEAD_DAYS`, default 5). */
  readonly reportReminderLeadDays: number;
  /** How often the due-date sweeper runs (`OPS_REPORT_SWEEP_INTERVAL_MS`, default 600000). */
  readonly reportSweepIntervalMs: number;
}

export const OPS_MONITOR_CONFIG = Symbol('OPS_MONITOR_CONFIG');

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Defaults: machine steps (discharge → assessment → registration → assignment) take seconds, so minutes of no
 * progress mean something is wrong; waiting for consent, for a site's answer (72 h window) and for the first
 * session are human steps measured in days.
 */
export const DEFAULT_STUCK_AFTER_SECONDS: Readonly<Record<WaitingState, number>> = {
  discharged: 10 * MINUTE,
  assessed: 7 * DAY,
  registered: 10 * MINUTE,
  assigned: 80 * HOUR,
  'needs-manual-placement': 4 * HOUR,
  declined: 10 * MINUTE,
  escalated: 10 * MINUTE,
  accepted: 14 * DAY,
  transferred: 80 * HOUR,
};

function envName(state: WaitingState): string {
  return `OPS_STUCK_AFTER_${state.toUpperCase().replace(/-/g, '_')}_SECONDS`;
}

export function loadOpsMonitorConfig(env: NodeJS.ProcessEnv = process.env): OpsMonitorConfig {
  const stuckAfterSeconds = Object.fromEntries(
    WAITING_STATES.map((state) => [
      state,
      integerFromEnv(env, envName(state), DEFAULT_STUCK_AFTER_SECONDS[state], 0, 365 * DAY),
    ]),
  ) as Record<WaitingState, number>;
  return {
    stuckAfterSeconds,
    stuckSweepIntervalMs: integerFromEnv(env, 'OPS_STUCK_SWEEP_INTERVAL_MS', 30_000, 50, 3_600_000),
    stuckSweepBatch: integerFromEnv(env, 'OPS_STUCK_SWEEP_BATCH', 200, 1, 10_000),
    busPollIntervalMs: integerFromEnv(env, 'OPS_BUS_POLL_INTERVAL_MS', 5000, 50, 600_000),
    pageLimitMax: integerFromEnv(env, 'OPS_PAGE_LIMIT_MAX', 200, 1, 1000),
    indicators: loadIndicatorSettings(env),
  };
}

const DEFAULT_STANDARD_SERVICE = '2023:30,2024:45,2025:60';

/** `2023:30,2024:45` → { 2023: 0.3, 2024: 0.45 }; a bad entry is a ConfigurationError naming the variable. */
function yearlyPercentsFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: string,
): Record<string, number> {
  const raw = env[name]?.trim() || fallback;
  const targets: Record<string, number> = {};
  for (const entry of raw.split(',')) {
    const match = /^\s*(\d{4})\s*:\s*(\d{1,3})\s*$/.exec(entry);
    if (!match || Number(match[2]) > 100) {
      throw new ConfigurationError(`${name} must be YEAR:PERCENT pairs separated by commas (got "${raw}")`);
    }
    targets[match[1]] = Number(match[2]) / 100;
  }
  return targets;
}

function loadIndicatorSettings(env: NodeJS.ProcessEnv): IndicatorSettings {
  const percent = (name: string, fallback: number) => integerFromEnv(env, name, fallback, 0, 100) / 100;
  return {
    sessionsPerMonth: integerFromEnv(env, 'OPS_INDICATOR_SESSIONS_PER_MONTH', 4, 1, 31),
    targets: {
      standardServiceRateByYear: yearlyPercentsFromEnv(
        env,
        'OPS_TARGET_STANDARD_SERVICE_RATE',
        DEFAULT_STANDARD_SERVICE,
      ),
      coverageStreet: percent('OPS_TARGET_COVERAGE_STREET_PERCENT', 50),
      coverageUrbanCommunity: percent('OPS_TARGET_COVERAGE_URBAN_COMMUNITY_PERCENT', 40),
      coverageTownship: percent('OPS_TARGET_COVERAGE_TOWNSHIP_PERCENT', 20),
      communityRehabRate: percent('OPS_TARGET_COMMUNITY_REHAB_PERCENT', 90),
    },
    reportDueDay: integerFromEnv(env, 'OPS_REPORT_DUE_DAY', 20, 1, 28),
    reportReminderLeadDays: integerFromEnv(env, 'OPS_REPORT_REMINDER_LEAD_DAYS', 5, 0, 60),
    reportSweepIntervalMs: integerFromEnv(env, 'OPS_REPORT_SWEEP_INTERVAL_MS', 600_000, 50, 86_400_000),
  };
}
