import { isCalendarDate, retentionDueAt, retentionSchedule } from './retention-schedule';

describe('retention schedule', () => {
  it('should fall due 1, 3 and 6 months after the start, at midnight China time', () => {
    expect(retentionSchedule('2026-03-02').map((c) => [c.month, c.dueAt.toISOString()])).toEqual([
      [1, '2026-04-01T16:00:00.000Z'],
      [3, '2026-06-01T16:00:00.000Z'],
      [6, '2026-09-01T16:00:00.000Z'],
    ]);
  });

  it("should use the month's last day when it is shorter, across the year end", () => {
    expect(retentionDueAt('2026-01-31', 1).toISOString()).toBe('2026-02-27T16:00:00.000Z');
    expect(retentionDueAt('2026-08-31', 6).toISOString()).toBe('2027-02-27T16:00:00.000Z');
    expect(retentionDueAt('2028-01-31', 1).toISOString()).toBe('2028-02-28T16:00:00.000Z');
  });

  it('should accept only real calendar dates', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-2-3')).toBe(false);
    expect(isCalendarDate('2026-13-01')).toBe(false);
  });
});
