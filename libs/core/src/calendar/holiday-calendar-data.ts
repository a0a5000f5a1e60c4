import { readFileSync } from 'node:fs';

/**
 * Holiday calendar data: China's public holidays and make-up working days (调休上班) per year. The built-in
 * years come from the maintained `chinese-days` package (2004 to its latest release); later years, or
 * corrections, come from `HOLIDAY_CALENDAR_FILE` in this same shape, merged over the package per year.
 */
export interface HolidayYear {
  /** Inclusive [first, last] local dates (YYYY-MM-DD) of each holiday period. */
  readonly holidays: readonly (readonly [string, string])[];
  /** Weekend days that are working days (调休上班). */
  readonly makeUpWorkdays: readonly string[];
}

export interface HolidayCalendarData {
  /** IANA-free fixed offset of the calendar, in minutes east of UTC (China: +480, no DST). */
  readonly utcOffsetMinutes?: number;
  readonly years: Readonly<Record<string, HolidayYear>>;
}

/** `chinese-days/dist/chinese-days.json`: date → "English,中文,n" for holidays and make-up working days. */
interface ChineseDaysJson {
  readonly holidays: Readonly<Record<string, string>>;
  readonly workdays: Readonly<Record<string, string>>;
}

/**
 * The years `chinese-days` ships, as HolidayCalendarData (each holiday day as its own one-day period). A year
 * is covered when the package lists at least one holiday in it: the State Council publishes a whole year at once.
 */
export function packagedChinaHolidays(): HolidayCalendarData {
  const file = require.resolve('chinese-days/dist/chinese-days.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as ChineseDaysJson;
  const years: Record<string, { holidays: [string, string][]; makeUpWorkdays: string[] }> = {};
  const yearOf = (day: string) => (years[day.slice(0, 4)] ??= { holidays: [], makeUpWorkdays: [] });
  for (const day of Object.keys(data.holidays).sort()) yearOf(day).holidays.push([day, day]);
  for (const day of Object.keys(data.workdays).sort()) {
    if (years[day.slice(0, 4)]) yearOf(day).makeUpWorkdays.push(day);
  }
  return { utcOffsetMinutes: 8 * 60, years };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A HOLIDAY_CALENDAR_FILE's content checked against the HolidayCalendarData shape: each problem is named (year
 * and field), so a typo in the file stops the service at boot instead of silently moving deadlines.
 */
export function parseHolidayCalendar(raw: unknown): { data?: HolidayCalendarData; problems: string[] } {
  const problems: string[] = [];
  const root = raw as { utcOffsetMinutes?: unknown; years?: unknown } | null;
  if (typeof root !== 'object' || root === null || typeof root.years !== 'object' || root.years === null) {
    return { problems: ['must be an object with "years"'] };
  }
  if (root.utcOffsetMinutes !== undefined && !Number.isInteger(root.utcOffsetMinutes)) {
    problems.push('utcOffsetMinutes must be an integer');
  }
  for (const [year, entry] of Object.entries(root.years as Record<string, unknown>)) {
    const { holidays, makeUpWorkdays } = (entry ?? {}) as { holidays?: unknown; makeUpWorkdays?: unknown };
    if (!/^\d{4}$/.test(year)) problems.push(`years: "${year}" is not a year`);
    const inYear = (d: unknown) => typeof d === 'string' && DAY.test(d) && !Number.isNaN(Date.parse(d));
    const periodOk = (p: unknown) =>
      Array.isArray(p) && p.length === 2 && p.every(inYear) && (p[0] as string) <= (p[1] as string);
    if (!Array.isArray(holidays) || !holidays.every(periodOk)) {
      problems.push(`years.${year}.holidays must be a list of [first, last] YYYY-MM-DD dates`);
    }
    if (!Array.isArray(makeUpWorkdays) || !makeUpWorkdays.every(inYear)) {
      problems.push(`years.${year}.makeUpWorkdays must be a list of YYYY-MM-DD dates`);
    }
  }
  return problems.length > 0 ? { problems } : { data: raw as HolidayCalendarData, problems };
}
