import { HolidayCalendarData, packagedChinaHolidays } from './holiday-calendar-data';
import { WorkingDayCalendar } from './working-day-calendar';

/** Instants are given in China time (UTC+8), as a registration clerk would read them. */
const cst = (local: string) => new Date(`${local}+08:00`);

describe(WorkingDayCalendar.name, () => {
  const sut = new WorkingDayCalendar();

  it('should count 5 working days over a plain weekend', () => {
    // Mon 2026-03-09 → Tue 10, Wed 11, Thu 12, Fri 13, Mon 16.
    expect(sut.addWorkingDays(cst('2026-03-09T10:00:00'), 5)).toEqual(cst('2026-03-17T00:00:00'));
  });

  it('should skip the 2026 National Day holiday and count the Oct 10 make-up Saturday', () => {
    // Tue 2026-09-29 → Wed 30, (Oct 1–7 holiday), Thu 8, Fri 9, Sat 10 (调休上班), Mon 12.
    expect(sut.addWorkingDays(cst('2026-09-29T09:00:00'), 5)).toEqual(cst('2026-10-13T00:00:00'));
  });

  it('should skip the 2026 Spring Festival and count the Feb 14 and Feb 28 make-up Saturdays', () => {
    // Thu 2026-02-12 → Fri 13, Sat 14 (调休上班), (Feb 15–23 holiday), Tue 24, Wed 25, Thu 26.
    expect(sut.addWorkingDays(cst('2026-02-12T16:00:00'), 5)).toEqual(cst('2026-02-27T00:00:00'));
    // Wed 2026-02-25 → Thu 26, Fri 27, Sat 28 (调休上班), Mon Mar 2, Tue Mar 3.
    expect(sut.addWorkingDays(cst('2026-02-25T16:00:00'), 5)).toEqual(cst('2026-03-04T00:00:00'));
  });

  it('should skip the 2025 Labour Day holiday and count the Apr 27 make-up Sunday', () => {
    // Fri 2025-04-25 → Sun 27 (调休上班), Mon 28, Tue 29, Wed 30, (May 1–5 holiday), Tue May 6.
    expect(sut.addWorkingDays(cst('2025-04-25T11:00:00'), 5)).toEqual(cst('2025-05-07T00:00:00'));
  });

  it('should cross New Year 2026 with the Jan 4 make-up Sunday', () => {
    // Wed 2025-12-31 → (Jan 1–3 holiday), Sun 4 (调休上班), Mon 5, Tue 6, Wed 7, Thu 8.
    expect(sut.addWorkingDays(cst('2025-12-31T12:00:00'), 5)).toEqual(cst('2026-01-09T00:00:00'));
  });

  it('should use the China-local day of an instant that is still the previous day in UTC', () => {
    // 2026-09-30 01:00 in China is 2026-09-29 17:00 UTC: the application day is Sep 30.
    expect(sut.localDay(new Date('2026-09-29T17:00:00Z'))).toBe('2026-09-30');
    expect(sut.addWorkingDays(new Date('2026-09-29T17:00:00Z'), 1)).toEqual(cst('2026-10-09T00:00:00'));
  });

  it('should know holidays, make-up days and ordinary days', () => {
    expect(sut.isWorkingDay('2026-10-05')).toBe(false); // Monday, National Day
    expect(sut.isWorkingDay('2026-09-20')).toBe(true); // Sunday, make-up
    expect(sut.isWorkingDay('2026-06-19')).toBe(false); // Friday, Dragon Boat
    expect(sut.isWorkingDay('2026-11-21')).toBe(false); // ordinary Saturday
    expect(sut.isWorkingDay('2026-11-23')).toBe(true); // ordinary Monday
  });

  it('should count working days between two instants', () => {
    expect(sut.workingDaysBetween(cst('2026-09-30T10:00:00'), cst('2026-10-09T10:00:00'))).toBe(2);
  });

  it('should take extra years from configuration, replacing a year the package has', () => {
    const extended = new WorkingDayCalendar(packagedChinaHolidays(), {
      years: { '2027': { holidays: [['2027-01-01', '2027-01-01']], makeUpWorkdays: [] } },
    });
    expect(extended.covers(2027)).toBe(true);
    expect(extended.isWorkingDay('2027-01-01')).toBe(false);
    expect(sut.covers(2027)).toBe(false);
    const corrected = new WorkingDayCalendar(packagedChinaHolidays(), {
      years: { '2026': { holidays: [], makeUpWorkdays: [] } },
    });
    expect(corrected.isWorkingDay('2026-10-05')).toBe(true);
  });
});

/**
 * Deadlines across the 2025–2027 New Year and Spring Festival boundaries. 2025 and 2026 come from the package;
 * 2027 has no notice yet, so it comes from a HOLIDAY_CALENDAR_FILE-shaped override (hypothetical dates).
 */
describe('working-day deadlines across New Year and Spring Festival 2025–2027', () => {
  const packaged = new WorkingDayCalendar();
  const override2027: HolidayCalendarData = {
    utcOffsetMinutes: 480,
    years: {
      '2027': {
        holidays: [
          ['2027-01-01', '2027-01-03'],
          ['2027-02-06', '2027-02-14'],
        ],
        makeUpWorkdays: ['2027-02-20'],
      },
    },
  };
  const withFile = new WorkingDayCalendar(packagedChinaHolidays(), override2027);

  it.each([
    // Tue 2024-12-31 → (Jan 1 元旦), Thu 2, Fri 3, Mon 6, Tue 7, Wed 8.
    ['New Year 2025', '2024-12-31T15:00:00', '2025-01-09T00:00:00'],
    // Fri 2025-01-24 → Sun 26 (调休上班), Mon 27, (Jan 28–Feb 4 春节), Wed 5, Thu 6, Fri 7.
    ['Spring Festival 2025', '2025-01-24T10:00:00', '2025-02-08T00:00:00'],
    // Wed 2025-12-31 → (Jan 1–3 元旦), Sun 4 (调休上班), Mon 5, Tue 6, Wed 7, Thu 8.
    ['New Year 2026', '2025-12-31T12:00:00', '2026-01-09T00:00:00'],
    // Thu 2026-02-12 → Fri 13, Sat 14 (调休上班), (Feb 15–23 春节), Tue 24, Wed 25, Thu 26.
    ['Spring Festival 2026', '2026-02-12T16:00:00', '2026-02-27T00:00:00'],
  ])('should count %s from the package, not provisional', (_, from, due) => {
    expect(packaged.deadline(cst(from), 5)).toEqual({
      dueAt: cst(due),
      provisional: false,
      uncoveredYears: [],
    });
  });

  it('should count New Year 2027 on weekdays only and mark it provisional while 2027 is unknown', () => {
    // Thu 2026-12-31 → Fri Jan 1 (a weekday: no calendar), Mon 4, Tue 5, Wed 6, Thu 7.
    expect(packaged.deadline(cst('2026-12-31T10:00:00'), 5)).toEqual({
      dueAt: cst('2027-01-08T00:00:00'),
      provisional: true,
      uncoveredYears: [2027],
    });
  });

  it('should count New Year 2027 from the file override, no longer provisional', () => {
    // Thu 2026-12-31 → (Jan 1–3 元旦), Mon 4, Tue 5, Wed 6, Thu 7, Fri 8.
    expect(withFile.deadline(cst('2026-12-31T10:00:00'), 5)).toEqual({
      dueAt: cst('2027-01-09T00:00:00'),
      provisional: false,
      uncoveredYears: [],
    });
  });

  it('should count Spring Festival 2027 from the file override, and provisionally without it', () => {
    // Thu 2027-02-04 → Fri 5, (Feb 6–14 春节), Mon 15, Tue 16, Wed 17, Thu 18.
    expect(withFile.deadline(cst('2027-02-04T10:00:00'), 5)).toMatchObject({
      dueAt: cst('2027-02-19T00:00:00'),
      provisional: false,
    });
    // Sat Feb 20 is a make-up working day: Wed 17 → Thu 18, Fri 19, Sat 20, Mon 22, Tue 23.
    expect(withFile.addWorkingDays(cst('2027-02-17T10:00:00'), 5)).toEqual(cst('2027-02-24T00:00:00'));
    expect(packaged.deadline(cst('2027-02-04T10:00:00'), 5)).toMatchObject({
      dueAt: cst('2027-02-12T00:00:00'),
      provisional: true,
    });
  });
});
