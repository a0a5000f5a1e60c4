import { afterFailure, CLEARED, isLocked, LockState } from './staff-lockout';

const policy = { threshold: 5, durationMs: 15 * 60_000 };
const at = (minutes: number) => new Date(Date.UTC(2026, 2, 2, 8, minutes));

describe('staff sign-in lockout', () => {
  it('should count failures and lock for the duration at the threshold', () => {
    let state: LockState = CLEARED;
    for (let i = 1; i < 5; i++) {
      state = afterFailure(state, at(0), policy);
      expect(state).toEqual({ failedAttempts: i, lockedUntil: null });
      expect(isLocked(state, at(0))).toBe(false);
    }
    state = afterFailure(state, at(1), policy);
    expect(state).toEqual({ failedAttempts: 0, lockedUntil: at(16) });
    expect(isLocked(state, at(15))).toBe(true);
    expect(isLocked(state, at(16))).toBe(false);
  });

  it('should not extend a lock with failures while locked', () => {
    const locked = { failedAttempts: 0, lockedUntil: at(16) };
    expect(afterFailure(locked, at(10), policy)).toBe(locked);
  });

  it('should count again from zero once a lock has ended', () => {
    const ended = { failedAttempts: 0, lockedUntil: at(16) };
    expect(afterFailure(ended, at(20), policy)).toEqual({ failedAttempts: 1, lockedUntil: at(16) });
    expect(isLocked(afterFailure(ended, at(20), policy), at(20))).toBe(false);
  });
});
