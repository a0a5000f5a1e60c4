import { Module } from '@nestjs/common';
import { IdentityReviewRepository } from './identity-review.repository';
import { PatientRepository } from './patient.repository';
import { PatientVaultService } from './patient-vault.service';

/** The patient vault (the `patient` table): PII sealed per field, found by blind index. */
@Module({
  providers: [PatientRepository, PatientVaultService, IdentityReviewRepository],
  exports: [PatientVaultService, IdentityReviewRepository],
})
export class VaultModule {}
