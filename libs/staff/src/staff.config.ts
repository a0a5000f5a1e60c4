import { integerFromEnv } from '@app/core';
import { LockoutPolicy } from './staff-lockout';

/** Staff session and sign-in settings, read and validated at boot. */
export interface StaffConfig {
  /** A session ends after this long without a call (`STAFF_SESSION_IDLE_MINUTES`, default 30). */
  readonly sessionIdleMs: number;
  /** A session ends this long after sign-in whatever its use (`STAFF_SESSION_ABSOLUTE_HOURS`, default 12). */
  readonly sessionAbsoluteMs: number;
  readonly lockout: LockoutPolicy;
}

export function loadStaffConfig(env: NodeJS.ProcessEnv = process.env): StaffConfig {
  return {
    sessionIdleMs: integerFromEnv(env, 'STAFF_SESSION_IDLE_MINUTES', 30, 1, 24 * 60) * 60_000,
    sessionAbsoluteMs: integerFromEnv(env, 'STAFF_SESSION_ABSOLUTE_HOURS', 12, 1, 7 * 24) * 3_600_000,
    lockout: {
      threshold: integerFromEnv(env, 'STAFF_LOCKOUT_THRESHOLD', 5, 1, 100),
      durationMs: integerFromEnv(env, 'STAFF_LOCKOUT_MINUTES', 15, 1, 24 * 60) * 60_000,
    },
  };
}

export const STAFF_CONFIG = Symbol('STAFF_CONFIG');
