import { DynamicModule, Global, Module } from '@nestjs/common';
import { settingsProvider } from '@app/core';
import {
  HOSPITAL_INTAKE_CONFIG,
  HospitalIntakeConfig,
  loadHospitalIntakeConfig,
} from './hospital-intake.config';

/** Hospital-intake's settings (read and validated at boot). */
@Global()
@Module({})
export class SettingsModule {
  /** `overrides`: settings tests set instead of the environment. */
  static forRoot(overrides: Partial<HospitalIntakeConfig> = {}): DynamicModule {
    const providers = [settingsProvider(HOSPITAL_INTAKE_CONFIG, loadHospitalIntakeConfig, overrides)];
    return { module: SettingsModule, providers, exports: [HOSPITAL_INTAKE_CONFIG] };
  }
}
