import { Module } from '@nestjs/common';
import { PatientRepository } from './patient.repository';
import { PatientVaultService } from './patient-vault.service';

/** The patient vault (the `patient` table): PII sealed per field, found by blind index. */
@Module({
  providers: [PatientRepository, PatientVaultService],
  exports: [PatientVaultService],
})
export class VaultModule {}
