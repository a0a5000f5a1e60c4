import { CHINA_HOLIDAYS, HolidayCalendarData } from './holidays';

const DAY_MS = 86_400_000;

/**
 * Working days under a holiday calendar: weekdays, minus public holidays, plus make-up working days. Dates
 * are local to the calendar's fixed UTC offset (China: UTC+8). Years the data does not cover count weekdays
 * only (`covers()` says which years are known).
 */
export class WorkingDayCalendar {
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();
  private readonly offsetMs: number;
  private readonly years: Set<number>;

  constructor(...sources: HolidayCalendarData[]) {
    const data = sources.length > 0 ? sources : [CHINA_HOLIDAYS];
    this.offsetMs = (data[0].utcOffsetMinutes ?? 480) * 60_000;
    this.years = new Set();
    for (const source of data) {
      for (const [year, entry] of Object.entries(source.years)) {
        this.years.add(Number(year));
        for (const [first, last] of entry.holidays) {
          for (let d = parseDay(first); d <= parseDay(last); d += DAY_MS) this.holidays.add(formatDay(d));
        }
        for (const day of entry.makeUpWorkdays) this.workdays.add(formatDay(parseDay(day)));
      }
    }
  }

  covers(year: number): boolean {
    return this.years.has(year);
  }

  /** Whether a local date (YYYY-MM-DD) is a working day. */
  isWorkingDay(day: string): boolean {
    if (this.workdays.has(day)) return true;
    if (this.holidays.has(day)) return false;
    const weekday = new Date(parseDay(day)).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The local date of an instant. */
  localDay(at: Date): string {
    return formatDay(at.getTime() + this.offsetMs);
  }

  /**
   * The deadline `n` working days after `from`: the end (local midnight) of the n-th working day after the
   * day of `from` (the day of application itself does not count).
   */
  addWorkingDays(from: Date, n: number): Date {
    let day = parseDay(this.localDay(from));
    let counted = 0;
    while (counted < n) {
      day += DAY_MS;
      if (this.isWorkingDay(formatDay(day))) counted += 1;
    }
    return new Date(day + DAY_MS - this.offsetMs);
  }

  /** Working days strictly after the day of `from` up to and including the day of `to`. */
  workingDaysBetween(from: Date, to: Date): number {
    const end = parseDay(this.localDay(to));
    let count = 0;
    for (let day = parseDay(this.localDay(from)) + DAY_MS; day <= end; day += DAY_MS) {
      if (this.isWorkingDay(formatDay(day))) count += 1;
    }
    return count;
  }
}

function parseDay(day: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a YYYY-MM-DD date: ${day}`);
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${day}`);
  return ms;
}

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
