import { integerFromEnv } from '@app/core';
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
  };
}
