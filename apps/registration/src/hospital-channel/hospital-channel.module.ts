import { NoticesModule } from '../notices/notices.module';
import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { ConsentRecordsModule } from '../consent/consent-records.module';
import { RegistrationsModule } from '../registrations/registrations.module';
import { VaultModule } from '../vault/vault.module';
import { HospitalChannelEventsController } from './hospital-channel-events.controller';
import { HospitalChannelService } from './hospital-channel.service';
import { HospitalReferralRepository } from './hospital-referral.repository';

/** The hospital channel: referral.assessed, referral.consents-added and green.relapse-reported (no HTTP routes). */
@Module({
  imports: [NoticesModule, RegistrationsModule, VaultModule, ConsentRecordsModule, DivisionsModule],
  controllers: [HospitalChannelEventsController],
  providers: [HospitalChannelService, HospitalReferralRepository],
})
export class HospitalChannelModule {}
