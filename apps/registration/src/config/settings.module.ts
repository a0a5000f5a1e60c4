import { DynamicModule, Global, Module } from '@nestjs/common';
import { settingsProvider, packagedChinaHolidays, WorkingDayCalendar } from '@app/core';
import { loadRegistrationConfig, REGISTRATION_CONFIG, RegistrationConfig } from './registration.config';

/** The working-day calendar: the `chinese-days` package, with the configured holiday file merged over it. */
function workingDayCalendar(config: RegistrationConfig): WorkingDayCalendar {
  const packaged = packagedChinaHolidays();
  return config.holidayCalendar
    ? new WorkingDayCalendar(packaged, config.holidayCalendar)
    : new WorkingDayCalendar(packaged);
}

/** Registration's settings (read and validated at boot) and the holiday calendar they extend. */
@Global()
@Module({})
export class SettingsModule {
  /** `overrides`: settings tests set instead of the environment. */
  static forRoot(overrides: Partial<RegistrationConfig> = {}): DynamicModule {
    const providers = [
      settingsProvider(REGISTRATION_CONFIG, loadRegistrationConfig, overrides),
      { provide: WorkingDayCalendar, inject: [REGISTRATION_CONFIG], useFactory: workingDayCalendar },
    ];
    return { module: SettingsModule, providers, exports: [REGISTRATION_CONFIG, WorkingDayCalendar] };
  }
}
