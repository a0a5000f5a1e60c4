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
