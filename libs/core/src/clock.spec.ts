import { CLOCK_SKEW_MS, isInFuture, ManualClock, SystemClock } from './clock';

describe(ManualClock.name, () => {
  it('should stand still until set or advanced, and hand out copies', () => {
    const clock = new ManualClock(new Date('2026-03-02T08:00:00Z'));
    const seen = clock.now();
    seen.setTime(0);

    expect(clock.now().toISOString()).toBe('2026-03-02T08:00:00.000Z');
    clock.advance(90 * 60_000);
    expect(clock.now().toISOString()).toBe('2026-03-02T09:30:00.000Z');
    clock.set(new Date('2026-12-31T23:59:59Z'));
    expect(clock.now().toISOString()).toBe('2026-12-31T23:59:59.000Z');
  });
});

describe(SystemClock.name, () => {
  it("should tell the system's time", () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe(isInFuture.name, () => {
  const now = new Date('2026-12-06T08:00:00Z');

  it('should take a time up to the clock skew ahead as now, and a later one as in the future', () => {
    expect(isInFuture(new Date('2026-12-06T08:05:00Z'), now)).toBe(false);
    expect(isInFuture(Date.parse('2026-12-06T08:05:00.001Z'), now)).toBe(true);
    expect(isInFuture(now.getTime() + CLOCK_SKEW_MS + 1, now)).toBe(true);
    expect(isInFuture(new Date('2026-12-06T08:00:01Z'), now, 0)).toBe(true);
  });
});
