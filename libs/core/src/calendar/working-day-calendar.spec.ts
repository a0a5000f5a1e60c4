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

  it('should take extra years from configuration', () => {
    const extended = new WorkingDayCalendar({
      years: { '2027': { holidays: [['2027-01-01', '2027-01-01']], makeUpWorkdays: [] } },
    });
    expect(extended.covers(2027)).toBe(true);
    expect(extended.isWorkingDay('2027-01-01')).toBe(false);
    expect(sut.covers(2027)).toBe(false);
  });
});
