import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { TimelineModule } from '../timeline/timeline.module';
import { ReferralEventsController } from './referral-events.controller';
import { ReferralController } from './referral.controller';
import { ReferralRepository } from './referral.repository';
import { ReferralService } from './referral.service';

@Module({
  imports: [HospitalsModule, DivisionsModule, TimelineModule],
  controllers: [ReferralController, ReferralEventsController],
  providers: [ReferralRepository, ReferralService],
})
export class ReferralsModule {}
