import { HolidayCalendarData, HolidayYear, packagedChinaHolidays } from './holiday-calendar-data';

const DAY_MS = 86_400_000;

/** A deadline in working days, and whether it rests on a year the calendar does not know. */
export interface WorkingDayDeadline {
  readonly dueAt: Date;
  /**
   * Some day counted lies in a year with no holiday calendar: those days were counted as plain weekdays, so
   * the deadline may move once the year's notice is configured. Stored and shown with the deadline.
   */
  readonly provisional: boolean;
  /** The uncovered years the count went through (empty when not provisional). */
  readonly uncoveredYears: readonly number[];
}

/**
 * Working days under a holiday calendar: weekdays, minus public holidays, plus make-up working days. Dates
 * are local to the calendar's fixed UTC offset (China: UTC+8). Sources are merged per year, a later one
 * replacing an earlier one's year (the HOLIDAY_CALENDAR_FILE over the package). A year no source covers is
 * counted on weekdays only, and every deadline through it says so (`deadline().provisional`).
 */
export class WorkingDayCalendar {
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();
  private readonly offsetMs: number;
  private readonly years: Set<number>;

  constructor(...sources: HolidayCalendarData[]) {
    const data = sources.length > 0 ? sources : [packagedChinaHolidays()];
    this.offsetMs = (data[0].utcOffsetMinutes ?? 480) * 60_000;
    const merged = new Map<number, HolidayYear>();
    for (const source of data) {
      for (const [year, entry] of Object.entries(source.years)) merged.set(Number(year), entry);
    }
    this.years = new Set(merged.keys());
    for (const entry of merged.values()) {
      for (const [first, last] of entry.holidays) {
        for (let d = parseDay(first); d <= parseDay(last); d += DAY_MS) this.holidays.add(formatDay(d));
      }
      for (const day of entry.makeUpWorkdays) this.workdays.add(formatDay(parseDay(day)));
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

  /** The instant a local year starts (local midnight of 1 January). */
  startOfYear(year: number): Date {
    return new Date(Date.UTC(year, 0, 1) - this.offsetMs);
  }

  /**
   * The deadline `n` working days after `from`: the end (local midnight) of the n-th working day after the
   * day of `from` (the day itself does not count); provisional when a counted day lies in an uncovered year.
   */
  deadline(from: Date, n: number): WorkingDayDeadline {
    let day = parseDay(this.localDay(from));
    let counted = 0;
    const uncovered = new Set<number>();
    while (counted < n) {
      day += DAY_MS;
      const year = new Date(day).getUTCFullYear();
      if (!this.years.has(year)) uncovered.add(year);
      if (this.isWorkingDay(formatDay(day))) counted += 1;
    }
    return {
      dueAt: new Date(day + DAY_MS - this.offsetMs),
      provisional: uncovered.size > 0,
      uncoveredYears: [...uncovered],
    };
  }

  /** The instant of `deadline(from, n)`. */
  addWorkingDays(from: Date, n: number): Date {
    return this.deadline(from, n).dueAt;
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
