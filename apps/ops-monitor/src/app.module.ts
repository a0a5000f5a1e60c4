import { DynamicModule, Module } from '@nestjs/common';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { ServiceModule, ServiceOverrides } from '@app/platform';
import { DATABASE } from './database';

@Module({})
export class AppModule {
  /** The whole service; tests pass overrides (schema, bus namespace, port, log sink). */
  static register(overrides: ServiceOverrides = {}): DynamicModule {
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
      ],
    };
  }
}
