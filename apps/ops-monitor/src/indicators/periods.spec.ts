import { parsePeriod, previousQuarter, quarterOf, reportDueAt } from './periods';

describe('periods in Beijing time', () => {
  it('a quarter starts and ends at Beijing midnight', () => {
    const q = parsePeriod('2026-Q3');
    expect(q.start.toISOString()).toBe('2026-06-30T16:00:00.000Z');
    expect(q.end.toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(q.months.map((m) => m.label)).toEqual(['2026-07', '2026-08', '2026-09']);
  });

  it('a month rolls into the next year', () => {
    const m = parsePeriod('2026-12');
    expect(m.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('refuses anything else', () => {
    for (const bad of ['2026-13', '2026-Q5', '2026-7', 'Q3-2026', '']) {
      expect(() => parsePeriod(bad)).toThrow(expect.objectContaining({ code: 'INVALID_PERIOD' }));
    }
  });

  it('quarters of instants near the boundary', () => {
    expect(quarterOf(new Date('2026-09-30T15:59:59Z'))).toBe('2026-Q3');
    expect(quarterOf(new Date('2026-09-30T16:00:00Z'))).toBe('2026-Q4');
    expect(previousQuarter('2027-Q1')).toBe('2026-Q4');
  });

  it('the report is due by the end of the 20th of the next month (Beijing)', () => {
    expect(reportDueAt('2026-Q3').toISOString()).toBe('2026-10-20T16:00:00.000Z');
  });
});
