import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { ServiceModule, ServiceOverrides } from '@app/platform';
import { AlertsModule } from './alerts/alerts.module';
import { OpsMonitorConfig } from './config/ops-monitor.config';
import { SettingsModule } from './config/settings.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DATABASE } from './database';
import { IndicatorsModule } from './indicators/indicators.module';
import { StuckModule } from './stuck/stuck.module';
import { TimelineModule } from './timeline/timeline.module';

@Module({})
export class AppModule {
  /** The whole service; tests pass overrides (schema, bus namespace, port, log sink, clock) and settings. */
  static register(overrides: ServiceOverrides = {}, settings: Partial<OpsMonitorConfig> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: SERVICES.opsMonitor,
          database: DATABASE,
          consumers: [
            CONSUMERS.opsMonitorReferral,
            CONSUMERS.opsMonitorGreen,
            CONSUMERS.opsMonitorEmployment,
            CONSUMERS.opsMonitorOps,
            CONSUMERS.opsMonitorDlq,
          ],
          apiKeyKinds: [],
          ...overrides,
        }),
        SettingsModule.forRoot(settings),
        AuditModule,
        AlertsModule,
        TimelineModule,
        StuckModule,
        DashboardModule,
        IndicatorsModule,
      ],
    };
  }
}
