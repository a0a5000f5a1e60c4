import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { CryptoModule } from '@app/crypto';
import { ServiceModule, ServiceOverrides } from '@app/platform';
import { EmploymentReferralConfig } from './config/employment-referral.config';
import { SettingsModule } from './config/settings.module';
import { DATABASE } from './database';
import { ProvidersModule } from './providers/providers.module';
import { ReferralsModule } from './referrals/referrals.module';
import { StatsModule } from './stats/stats.module';

@Module({})
export class AppModule {
  /** The whole service; tests pass overrides (schema, bus namespace, port, log sink, clock) and settings. */
  static register(
    overrides: ServiceOverrides = {},
    settings: Partial<EmploymentReferralConfig> = {},
  ): DynamicModule {
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
        SettingsModule.forRoot(settings),
        AuditModule,
        CryptoModule,
        ProvidersModule,
        ReferralsModule,
        StatsModule,
      ],
    };
  }
}
