import { DynamicModule, Global, Module } from '@nestjs/common';
import { OrganisationKind, STAFF_AUTHENTICATOR } from '@app/auth';
import { loadStaffConfig, STAFF_CONFIG, StaffConfig } from './staff.config';
import { StaffAccountsController, StaffSessionsController } from './staff.controller';
import { StaffRepository } from './staff.repository';
import { STAFF_ORGANISATION_KIND, StaffService } from './staff.service';

export interface StaffModuleOptions {
  /** The organisation kind whose people sign in to this service. */
  readonly organisationKind: OrganisationKind;
  /** Overrides of the environment (tests). */
  readonly config?: Partial<StaffConfig>;
}

/**
 * Staff accounts of a service (rehab-site: sites, hospital-intake: hospitals): sign-in and the account API,
 * and the session cookie as a credential of the global AuthGuard (it finds STAFF_AUTHENTICATOR here). Global
 * so that the guard, registered by AuthModule, sees it. The app lists `StaffAccounts1767100000000` in its
 * migrations.
 */
@Global()
@Module({})
export class StaffModule {
  static forRoot(options: StaffModuleOptions): DynamicModule {
    return {
      module: StaffModule,
      controllers: [StaffSessionsController, StaffAccountsController],
      providers: [
        { provide: STAFF_CONFIG, useValue: { ...loadStaffConfig(), ...options.config } },
        { provide: STAFF_ORGANISATION_KIND, useValue: options.organisationKind },
        StaffRepository,
        StaffService,
        { provide: STAFF_AUTHENTICATOR, useExisting: StaffService },
      ],
      exports: [STAFF_AUTHENTICATOR, StaffService, STAFF_CONFIG],
    };
  }
}
