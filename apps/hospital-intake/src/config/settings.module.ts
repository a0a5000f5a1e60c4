import { DynamicModule, Global, Module } from '@nestjs/common';
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
    return {
      module: SettingsModule,
      providers: [
        {
          provide: HOSPITAL_INTAKE_CONFIG,
          useFactory: (): HospitalIntakeConfig => ({ ...loadHospitalIntakeConfig(), ...overrides }),
        },
      ],
      exports: [HOSPITAL_INTAKE_CONFIG],
    };
  }
}
