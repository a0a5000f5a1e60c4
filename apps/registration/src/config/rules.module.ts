import { DynamicModule, Global, Module } from '@nestjs/common';
import { CHINA_HOLIDAYS } from '../calendar/holidays';
import { WorkingDayCalendar } from '../calendar/working-day-calendar';
import { Clock, SystemClock } from './clock';
import { loadRegistrationRules, REGISTRATION_RULES, RegistrationRules } from './registration.config';

export interface RulesOptions {
  /** Overrides of the environment's rules (tests). */
  readonly rules?: Partial<RegistrationRules>;
  /** The time source (tests pass a ManualClock). */
  readonly clock?: Clock;
}

/** Registration's domain rules (validated at boot), the holiday calendar and the clock. */
@Global()
@Module({})
export class RulesModule {
  static forRoot(options: RulesOptions = {}): DynamicModule {
    const rules: RegistrationRules = { ...loadRegistrationRules(), ...options.rules };
    const calendar = rules.holidayCalendar
      ? new WorkingDayCalendar(CHINA_HOLIDAYS, rules.holidayCalendar)
      : new WorkingDayCalendar(CHINA_HOLIDAYS);
    return {
      module: RulesModule,
      providers: [
        { provide: REGISTRATION_RULES, useValue: rules },
        { provide: WorkingDayCalendar, useValue: calendar },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
      ],
      exports: [REGISTRATION_RULES, WorkingDayCalendar, Clock],
    };
  }
}
