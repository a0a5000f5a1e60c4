import { DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { CryptoModule } from '@app/crypto';
import { ServiceModule, ServiceOverrides } from '@app/platform';
import { StaffModule } from '@app/staff';
import { HospitalIntakeConfig } from './config/hospital-intake.config';
import { SettingsModule } from './config/settings.module';
import { DATABASE } from './database';
import { DischargesModule } from './discharges/discharges.module';
import { GreenCasesModule } from './green-cases/green-cases.module';
import { HospitalsModule } from './hospitals/hospitals.module';
import { ReferralsModule } from './referrals/referrals.module';
import { DeskModule } from './desk/desk.module';

@Module({})
export class AppModule {
  /** The whole service; tests pass overrides (schema, bus namespace, port, log sink, clock) and settings. */
  static register(
    overrides: ServiceOverrides = {},
    settings: Partial<HospitalIntakeConfig> = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceModule.forRoot({
          service: SERVICES.hospitalIntake,
          database: DATABASE,
          consumers: [
            CONSUMERS.hospitalIntakeReferral,
            CONSUMERS.hospitalIntakeEmploymentStage,
            CONSUMERS.hospitalIntakeGreen,
          ],
          apiKeyKinds: ['hospital'],
          ...overrides,
        }),
        SettingsModule.forRoot(settings),
        CryptoModule,
        AuditModule,
        // People of the hospitals sign in with staff accounts (the web workbench); their cookie is a credential.
        StaffModule.forRoot({ organisationKind: 'hospital' }),
        HospitalsModule,
        DischargesModule,
        ReferralsModule,
        GreenCasesModule,
        DeskModule,
      ],
    };
  }
}
