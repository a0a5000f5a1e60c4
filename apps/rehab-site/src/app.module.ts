import { DynamicModule, Module } from '@nestjs/common';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { CryptoModule } from '@app/crypto';
import { AuditModule } from '@app/audit';
import { ServiceModule, ServiceOverrides } from '@app/platform';
import { StaffModule } from '@app/staff';
import { RehabSiteConfig } from './config/rehab-site.config';
import { SettingsModule } from './config/settings.module';
import { DATABASE } from './database';
import { DirectoryModule } from './directory/directory.module';
import { ReferralsModule } from './referrals/referrals.module';
import { WebhooksModule } from './webhooks/webhooks.module';
import { WorkbenchModule } from './workbench/workbench.module';

@Module({})
export class AppModule {
  /** The whole service; tests pass overrides (schema, bus namespace, port, log sink, clock) and settings. */
  static register(overrides: ServiceOverrides = {}, settings: Partial<RehabSiteConfig> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: SERVICES.rehabSite,
          database: DATABASE,
          consumers: [
            CONSUMERS.rehabSiteRegistered,
            CONSUMERS.rehabSiteConsentWithdrawn,
            CONSUMERS.rehabSiteCancelled,
            CONSUMERS.rehabSiteReadmitted,
            CONSUMERS.rehabSiteConsentGranted,
            CONSUMERS.rehabSiteEmploymentStage,
          ],
          apiKeyKinds: ['site'],
          ...overrides,
        }),
        SettingsModule.forRoot(settings),
        CryptoModule,
        AuditModule,
        // People of the sites sign in with staff accounts (the web workbench); their cookie is a credential.
        StaffModule.forRoot({ organisationKind: 'site' }),
        DirectoryModule,
        WebhooksModule,
        ReferralsModule,
        WorkbenchModule,
      ],
    };
  }
}
