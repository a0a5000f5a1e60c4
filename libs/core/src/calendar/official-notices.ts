import { HolidayCalendarData } from './holiday-calendar-data';

/**
 * The official public holidays and make-up working days (调休上班) of 2025 and 2026, transcribed from the State
 * Council notices, as the reference the packaged calendar (`chinese-days`) is checked against in
 * `holiday-calendar-data.spec.ts`. Not used at run time.
 *
 * Sources: 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 12 Nov 2024) and
 * 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, Nov 2025).
 */
export const OFFICIAL_NOTICES_2025_2026: HolidayCalendarData = {
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
