import { RETENTION_CHECK_MONTHS, RetentionCheckMonth } from '@app/contracts';
import { CHINA_UTC_OFFSET_MS } from '@app/core';

/**
 * When the retention check `months` after a job start (YYYY-MM-DD) falls due: the same day of the month that
 * many months later (the month's last day when it is shorter), at 00:00 China time.
 */
export function retentionDueAt(startDate: string, months: number): Date {
  const [year, month, day] = startDate.split('-').map(Number);
  const target = new Date(Date.UTC(year, month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  const due = Date.UTC(target.getUTCFullYear(), target.getUTCMonth(), Math.min(day, lastDay));
  return new Date(due - CHINA_UTC_OFFSET_MS); // a job's start date is a China date
}

/** The 1-, 3- and 6-month checks of a job that starts on `startDate`. */
export function retentionSchedule(startDate: string): { month: RetentionCheckMonth; dueAt: Date }[] {
  return RETENTION_CHECK_MONTHS.map((month) => ({ month, dueAt: retentionDueAt(startDate, month) }));
}

/** Whether `value` is a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
