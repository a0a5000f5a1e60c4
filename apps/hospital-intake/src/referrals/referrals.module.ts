import { Module } from '@nestjs/common';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { ReferralEventsController } from './referral-events.controller';
import { ReferralController } from './referral.controller';
import { ReferralRepository } from './referral.repository';
import { ReferralService } from './referral.service';

@Module({
  imports: [HospitalsModule],
  controllers: [ReferralController, ReferralEventsController],
  providers: [ReferralRepository, ReferralService],
})
export class ReferralsModule {}
