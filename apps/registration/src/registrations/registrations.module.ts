import { NoticesModule } from '../notices/notices.module';
import { Module } from '@nestjs/common';
import { ConsentRecordsModule } from '../consent/consent-records.module';
import { VaultModule } from '../vault/vault.module';
import { ApplicationRepository } from './application.repository';
import { ConsentGate } from './consent-gate.service';
import { DeadlineSweeper } from './deadline-sweeper.service';
import { ReferralProgressEventsController } from './referral-progress-events.controller';
import { ReferralProgressService } from './referral-progress.service';
import { RegistrationIntake } from './registration-intake.service';
import { RegistrationRepository } from './registration.repository';
import { RegistrationsController } from './registrations.controller';
import { RegistrationsService } from './registrations.service';

/**
 * One registration per person and the applications filed for it (it owns the `registration`, `application`
 * and `consent_reminder` rows): intake, the consent gate, access checks and views, the deadline sweeper and
 * what routing reports back (referral.assigned meets the refer-to-a-site deadline).
 * The channels and the consent feature build on it.
 */
@Module({
  imports: [NoticesModule, VaultModule, ConsentRecordsModule],
  controllers: [RegistrationsController, ReferralProgressEventsController],
  providers: [
    RegistrationRepository,
    ApplicationRepository,
    RegistrationIntake,
    ConsentGate,
    RegistrationsService,
    DeadlineSweeper,
    ReferralProgressService,
  ],
  exports: [
    RegistrationRepository,
    ApplicationRepository,
    RegistrationIntake,
    ConsentGate,
    RegistrationsService,
  ],
})
export class RegistrationsModule {}
