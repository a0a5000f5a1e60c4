import { DynamicModule, Global, Module } from '@nestjs/common';
import { settingsProvider } from '@app/core';
import {
  EMPLOYMENT_REFERRAL_CONFIG,
  EmploymentReferralConfig,
  loadEmploymentReferralConfig,
} from './employment-referral.config';

/** Employment-referral's settings (read and validated at boot). */
@Global()
@Module({})
export class SettingsModule {
  /** `overrides`: settings tests set instead of the environment. */
  static forRoot(overrides: Partial<EmploymentReferralConfig> = {}): DynamicModule {
    const providers = [settingsProvider(EMPLOYMENT_REFERRAL_CONFIG, loadEmploymentReferralConfig, overrides)];
    return { module: SettingsModule, providers, exports: [EMPLOYMENT_REFERRAL_CONFIG] };
  }
}
