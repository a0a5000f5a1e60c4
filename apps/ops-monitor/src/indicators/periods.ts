import { DomainException } from '@app/core';

/** Beijing time (Asia/Shanghai) is UTC+8 all year (no DST since 1991): month and quarter bounds are fixed offsets. */
const BEIJING_OFFSET_MS = 8 * 3600_000;

export interface Month {
  /** `YYYY-MM`. */
  readonly label: string;
  /** First instant of the month in Beijing time (inclusive). */
  readonly start: Date;
  /** First instant of the next month in Beijing time (exclusive). */
  readonly end: Date;
}

export interface Period {
  /** `YYYY-MM` or `YYYY-Qn`. */
  readonly label: string;
  readonly kind: 'month' | 'quarter';
  readonly year: number;
  readonly start: Date;
  readonly end: Date;
  readonly months: Month[];
}

/** The UTC instant of 00:00 Beijing time on the first day of `month` (1-based; 13 rolls over). */
function beijingMonthStart(year: number, month: number): Date {
  return new Date(Date.UTC(year, month - 1, 1) - BEIJING_OFFSET_MS);
}

function monthOf(year: number, month: number): Month {
  return {
    label: `${year}-${String(month).padStart(2, '0')}`,
    start: beijingMonthStart(year, month),
    end: beijingMonthStart(year, month + 1),
  };
}

const PERIOD = /^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$/;

/** Parses `2026-07` (a month) or `2026-Q3` (a quarter); anything else is a 400. */
export function parsePeriod(label: string): Period {
  const match = PERIOD.exec(label);
  if (!match) {
    throw new DomainException('INVALID_PERIOD', 'invalid', `Period ${label} is not YYYY-MM or YYYY-Qn`, {
      errors: [{ pointer: '#/period', detail: 'expected YYYY-MM or YYYY-Qn' }],
    });
  }
  const year = Number(match[1]);
  if (match[2]) {
    const month = monthOf(year, Number(match[2]));
    return { label, kind: 'month', year, start: month.start, end: month.end, months: [month] };
  }
  const first = (Number(match[3]) - 1) * 3 + 1;
  const months = [0, 1, 2].map((i) => monthOf(year, first + i));
  return { label, kind: 'quarter', year, start: months[0].start, end: months[2].end, months };
}

/** The quarter (`YYYY-Qn`) an instant falls in, in Beijing time. */
export function quarterOf(instant: Date): string {
  const beijing = new Date(instant.getTime() + BEIJING_OFFSET_MS);
  return `${beijing.getUTCFullYear()}-Q${Math.floor(beijing.getUTCMonth() / 3) + 1}`;
}

/** The quarter before `YYYY-Qn`. */
export function previousQuarter(label: string): string {
  const { year, months } = parsePeriod(label);
  const q = Math.floor((Number(months[0].label.slice(5)) - 1) / 3) + 1;
  return q === 1 ? `${year - 1}-Q4` : `${year}-Q${q - 1}`;
}

/** The statutory due date of a quarter's report: 00:00 Beijing time on the day after the 20th of the next month. */
export function reportDueAt(quarter: string, dueDay = 20): Date {
  const period = parsePeriod(quarter);
  return new Date(period.end.getTime() + dueDay * 86_400_000);
}
