import { DynamicModule, Global, Module } from '@nestjs/common';
import { loadRehabSiteConfig, REHAB_SITE_CONFIG, RehabSiteConfig } from './rehab-site.config';

/** Rehab-site's settings (read and validated at boot). */
@Global()
@Module({})
export class SettingsModule {
  /** `overrides`: settings tests set instead of the environment. */
  static forRoot(overrides: Partial<RehabSiteConfig> = {}): DynamicModule {
    return {
      module: SettingsModule,
      providers: [
        {
          provide: REHAB_SITE_CONFIG,
          useFactory: (): RehabSiteConfig => ({ ...loadRehabSiteConfig(), ...overrides }),
        },
      ],
      exports: [REHAB_SITE_CONFIG],
    };
  }
}
