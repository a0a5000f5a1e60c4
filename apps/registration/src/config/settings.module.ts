import { DynamicModule, Global, Module } from '@nestjs/common';
import { CHINA_HOLIDAYS } from '../calendar/holidays';
import { WorkingDayCalendar } from '../calendar/working-day-calendar';
import { loadRegistrationConfig, REGISTRATION_CONFIG, RegistrationConfig } from './registration.config';

/** Registration's settings (read and validated at boot) and the holiday calendar they extend. */
@Global()
@Module({})
export class SettingsModule {
  /** `overrides`: settings tests set instead of the environment. */
  static forRoot(overrides: Partial<RegistrationConfig> = {}): DynamicModule {
    return {
      module: SettingsModule,
      providers: [
        {
          provide: REGISTRATION_CONFIG,
          useFactory: (): RegistrationConfig => ({ ...loadRegistrationConfig(), ...overrides }),
        },
        {
          provide: WorkingDayCalendar,
          inject: [REGISTRATION_CONFIG],
          useFactory: (config: RegistrationConfig) =>
            config.holidayCalendar
              ? new WorkingDayCalendar(CHINA_HOLIDAYS, config.holidayCalendar)
              : new WorkingDayCalendar(CHINA_HOLIDAYS),
        },
      ],
      exports: [REGISTRATION_CONFIG, WorkingDayCalendar],
    };
  }
}
