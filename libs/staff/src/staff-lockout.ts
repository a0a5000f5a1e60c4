/** The sign-in lockout rule: so many failures in a row lock the account for a while. */
export interface LockoutPolicy {
  /** Failed attempts in a row that lock the account (`STAFF_LOCKOUT_THRESHOLD`, default 5). */
  readonly threshold: number;
  /** How long a lock lasts (`STAFF_LOCKOUT_MINUTES`, default 15). */
  readonly durationMs: number;
}

export interface LockState {
  readonly failedAttempts: number;
  readonly lockedUntil: Date | null;
}

/** Whether the account is locked at `now` (a lock ends by itself). */
export function isLocked(state: LockState, now: Date): boolean {
  return state.lockedUntil !== null && state.lockedUntil.getTime() > now.getTime();
}

/**
 * The state after one more failed attempt at `now`: the count goes up and at the threshold the account locks
 * (the count starts again from zero for after the lock). A failure while locked changes nothing: the lock is
 * not extended, so nobody can keep an account locked forever by guessing.
 */
export function afterFailure(state: LockState, now: Date, policy: LockoutPolicy): LockState {
  if (isLocked(state, now)) return state;
  const failedAttempts = state.failedAttempts + 1;
  if (failedAttempts >= policy.threshold) {
    return { failedAttempts: 0, lockedUntil: new Date(now.getTime() + policy.durationMs) };
  }
  return { failedAttempts, lockedUntil: state.lockedUntil };
}

/** The state after a successful sign-in (or a password reset by a coordinator): nothing counted, no lock. */
export const CLEARED: LockState = { failedAttempts: 0, lockedUntil: null };
