import { Module } from '@nestjs/common';
import { DivisionDirectory } from '@app/divisions';
import { ConsentRepository } from '../consent/consent.repository';
import { DeadlineSweeper } from '../sweeper/deadline-sweeper.service';
import { PatientRepository } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import { ApplicationsController, RegistrationsController } from './registration.controller';
import { RegistrationEventsController } from './registration-events.controller';
import { RegistrationRepository } from './registration.repository';
import { RegistrationService } from './registration.service';

/** Applications, consent, withdrawal, the patient vault and the deadline sweeper. */
@Module({
  controllers: [ApplicationsController, RegistrationsController, RegistrationEventsController],
  providers: [
    { provide: DivisionDirectory, useFactory: () => DivisionDirectory.load() },
    PatientRepository,
    PatientVaultService,
    ConsentRepository,
    RegistrationRepository,
    RegistrationService,
    DeadlineSweeper,
  ],
})
export class RegistrationModule {}
