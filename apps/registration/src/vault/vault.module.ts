import { Module } from '@nestjs/common';
import { DivisionDirectory } from '@app/divisions';
import { PatientRepository } from './patient.repository';
import { PatientVaultService } from './patient-vault.service';

/** The patient vault (the `patient` table) and the divisions a patient's residence is checked against. */
@Module({
  providers: [
    PatientRepository,
    PatientVaultService,
    { provide: DivisionDirectory, useFactory: () => DivisionDirectory.load() },
  ],
  exports: [PatientVaultService, DivisionDirectory],
})
export class VaultModule {}
