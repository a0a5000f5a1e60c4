import { NoticesModule } from '../notices/notices.module';
import { Module } from '@nestjs/common';
import { RegistrationsModule } from '../registrations/registrations.module';
import { VaultModule } from '../vault/vault.module';
import { ConsentRecordsModule } from './consent-records.module';
import { ConsentController } from './consent.controller';
import { ConsentService } from './consent.service';

/** Capturing consent after filing, and withdrawal with everything it ends. */
@Module({
  imports: [NoticesModule, ConsentRecordsModule, RegistrationsModule, VaultModule],
  controllers: [ConsentController],
  providers: [ConsentService],
})
export class ConsentModule {}
