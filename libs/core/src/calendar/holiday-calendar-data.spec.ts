import { WorkingDayCalendar } from './working-day-calendar';
import { packagedChinaHolidays } from './holiday-calendar-data';
import { OFFICIAL_NOTICES_2025_2026 } from './official-notices';

/** Every local date of a year, as YYYY-MM-DD. */
function daysOf(year: number): string[] {
  const days: string[] = [];
  for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

describe(packagedChinaHolidays.name, () => {
  const packaged = new WorkingDayCalendar(packagedChinaHolidays());
  const official = new WorkingDayCalendar(OFFICIAL_NOTICES_2025_2026);

  it.each([2025, 2026])(
    'should agree with the State Council notice for %i on every day of the year',
    (year) => {
      const disagreements = daysOf(year).filter((d) => packaged.isWorkingDay(d) !== official.isWorkingDay(d));
      expect(disagreements).toEqual([]);
      expect(packaged.covers(year)).toBe(true);
    },
  );

  it('should cover 2004 to 2026 and nothing later', () => {
    expect(packaged.covers(2004)).toBe(true);
    expect(packaged.covers(2026)).toBe(true);
    expect(packaged.covers(2027)).toBe(false);
  });
});
