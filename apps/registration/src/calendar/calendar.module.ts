import { Module } from '@nestjs/common';
import { CalendarAlertRepository } from './calendar-alert.repository';
import { CalendarCoverageMonitor } from './calendar-coverage.monitor';

/**
 * The holiday calendar's horizon (the calendar itself is a setting: `SettingsModule` provides
 * `WorkingDayCalendar`): the periodic missing-calendar alert.
 */
@Module({
  providers: [CalendarAlertRepository, CalendarCoverageMonitor],
  exports: [CalendarCoverageMonitor],
})
export class CalendarModule {}
