import { Module } from '@nestjs/common';
import { ConsentRecordsModule } from '../consent/consent-records.module';
import { RegistrationsModule } from '../registrations/registrations.module';
import { VaultModule } from '../vault/vault.module';
import { IdentityReviewController } from './identity-review.controller';
import { IdentityReviewService } from './identity-review.service';

/** The registration office's and ops' worklist of possible duplicates (merge or keep separate, audited). */
@Module({
  imports: [VaultModule, RegistrationsModule, ConsentRecordsModule],
  controllers: [IdentityReviewController],
  providers: [IdentityReviewService],
})
export class IdentityReviewModule {}
