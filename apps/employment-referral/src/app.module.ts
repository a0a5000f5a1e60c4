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
          service: SERVICES.employmentReferral,
          database: DATABASE,
          consumers: [
            CONSUMERS.employmentReadiness,
            CONSUMERS.employmentRelapse,
            CONSUMERS.employmentReadmitted,
            CONSUMERS.employmentConsentWithdrawn,
          ],
          apiKeyKinds: ['employment-provider'],
          ...overrides,
        }),
      ],
    };
  }
}
