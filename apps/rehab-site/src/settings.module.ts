import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from './clock';
import { loadRehabSiteConfig, REHAB_SITE_CONFIG, RehabSiteConfig } from './config';

export interface RehabSiteOptions {
  /** Overrides of the environment's rules (tests). */
  readonly config?: Partial<RehabSiteConfig>;
  /** The time rules run on (tests pass a ManualClock). */
  readonly clock?: Clock;
}

/** The service's rules (configuration) and its Clock, for every feature module. */
@Global()
@Module({})
export class SettingsModule {
  static forRoot(options: RehabSiteOptions = {}): DynamicModule {
    return {
      module: SettingsModule,
      providers: [
        {
          provide: REHAB_SITE_CONFIG,
          useFactory: (): RehabSiteConfig => ({
            ...loadRehabSiteConfig(process.env),
            ...options.config,
          }),
        },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
      ],
      exports: [REHAB_SITE_CONFIG, Clock],
    };
  }
}
