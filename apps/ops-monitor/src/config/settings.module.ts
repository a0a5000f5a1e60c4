import { DynamicModule, Global, Module } from '@nestjs/common';
import { settingsProvider } from '@app/core';
import { loadOpsMonitorConfig, OPS_MONITOR_CONFIG, OpsMonitorConfig } from './ops-monitor.config';

/** Ops-monitor's settings (read and validated at boot). */
@Global()
@Module({})
export class SettingsModule {
  /** `overrides`: settings tests set instead of the environment. */
  static forRoot(overrides: Partial<OpsMonitorConfig> = {}): DynamicModule {
    const providers = [settingsProvider(OPS_MONITOR_CONFIG, loadOpsMonitorConfig, overrides)];
    return { module: SettingsModule, providers, exports: [OPS_MONITOR_CONFIG] };
  }
}
