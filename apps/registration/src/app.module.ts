import { DynamicModule, Module } from '@nestjs/common';
import { REGISTRATION_CHANNEL_KINDS } from '@app/auth';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { CryptoModule } from '@app/crypto';
import { AuditModule } from '@app/audit';
import { ServiceModule, ServiceOverrides } from '@app/platform';
import { ApplicationsModule } from './applications/applications.module';
import { CalendarModule } from './calendar/calendar.module';
import { RegistrationConfig } from './config/registration.config';
import { SettingsModule } from './config/settings.module';
import { ConsentModule } from './consent/consent.module';
import { DATABASE } from './database';
import { HospitalChannelModule } from './hospital-channel/hospital-channel.module';
import { IdentityReviewModule } from './identity-review/identity-review.module';
import { NoticeApiModule } from './notices/notice-api.module';
import { RegistrationsModule } from './registrations/registrations.module';

@Module({})
export class AppModule {
  /** The whole service; tests pass overrides (schema, bus namespace, port, log sink, clock) and settings. */
  static register(
    overrides: ServiceOverrides = {},
    settings: Partial<RegistrationConfig> = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: SERVICES.registration,
          database: DATABASE,
          consumers: [
            CONSUMERS.registrationAssessed,
            CONSUMERS.registrationConsentsAdded,
            CONSUMERS.registrationRelapse,
            CONSUMERS.registrationAssigned,
            CONSUMERS.registrationDeclined,
            CONSUMERS.registrationFileSummarised,
            CONSUMERS.registrationCancelled,
          ],
          apiKeyKinds: REGISTRATION_CHANNEL_KINDS,
          ...overrides,
        }),
        CryptoModule,
        AuditModule,
        SettingsModule.forRoot(settings),
        CalendarModule,
        HospitalChannelModule,
        ApplicationsModule,
        RegistrationsModule,
        ConsentModule,
        IdentityReviewModule,
        NoticeApiModule,
      ],
    };
  }
}
