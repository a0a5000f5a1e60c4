import { DynamicModule, Global, Module } from '@nestjs/common';
import { settingsProvider } from '@app/core';
import { loadRehabSiteConfig, REHAB_SITE_CONFIG, RehabSiteConfig } from './rehab-site.config';

/** Rehab-site's settings (read and validated at boot). */
@Global()
@Module({})
export class SettingsModule {
  /** `overrides`: settings tests set instead of the environment. */
  static forRoot(overrides: Partial<RehabSiteConfig> = {}): DynamicModule {
    const providers = [settingsProvider(REHAB_SITE_CONFIG, loadRehabSiteConfig, overrides)];
    return { module: SettingsModule, providers, exports: [REHAB_SITE_CONFIG] };
  }
}
