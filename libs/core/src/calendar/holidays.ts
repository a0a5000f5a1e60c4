/**
 * China's official public holidays and make-up working days (调休上班), as data.
 *
 * Sources: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 12 Nov 2024) and
 * 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, Nov 2025). Later years are added by
 * configuration (HOLIDAY_CALENDAR_FILE, same shape) when the State Council publishes them.
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

export const CHINA_HOLIDAYS: HolidayCalendarData = {
  utcOffsetMinutes: 8 * 60,
  years: {
    '2025': {
      holidays: [
        ['2025-01-01', '2025-01-01'], // 元旦
        ['2025-01-28', '2025-02-04'], // 春节
        ['2025-04-04', '2025-04-06'], // 清明节
        ['2025-05-01', '2025-05-05'], // 劳动节
        ['2025-05-31', '2025-06-02'], // 端午节
        ['2025-10-01', '2025-10-08'], // 国庆节、中秋节
      ],
      makeUpWorkdays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
    },
    '2026': {
      holidays: [
        ['2026-01-01', '2026-01-03'], // 元旦
        ['2026-02-15', '2026-02-23'], // 春节
        ['2026-04-04', '2026-04-06'], // 清明节
        ['2026-05-01', '2026-05-05'], // 劳动节
        ['2026-06-19', '2026-06-21'], // 端午节
        ['2026-09-25', '2026-09-27'], // 中秋节
        ['2026-10-01', '2026-10-07'], // 国庆节
      ],
      makeUpWorkdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
    },
  },
};
