import { DynamicModule, Module } from '@nestjs/common';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { CryptoModule } from '@app/crypto';
import { AuditModule } from '@app/audit';
import { ServiceModule, ServiceOverrides } from '@app/platform';
import { DATABASE } from './database';
import { DirectoryModule } from './directory/directory.module';
import { ReferralsModule } from './referrals/referrals.module';
import { RehabSiteOptions, SettingsModule } from './settings.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  /** The whole service; tests pass overrides (schema, bus namespace, port, log sink) and rehab rules/clock. */
  static register(overrides: ServiceOverrides = {}, options: RehabSiteOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: SERVICES.rehabSite,
          database: DATABASE,
          consumers: [CONSUMERS.rehabSiteRegistered, CONSUMERS.rehabSiteConsentWithdrawn],
          ...overrides,
        }),
        SettingsModule.forRoot(options),
        CryptoModule,
        AuditModule,
        DirectoryModule,
        WebhooksModule,
        ReferralsModule,
      ],
    };
  }
}
