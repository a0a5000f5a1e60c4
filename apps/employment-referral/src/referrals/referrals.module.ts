import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { NoticesModule } from '../notices/notices.module';
import { ProvidersModule } from '../providers/providers.module';
import { EmploymentOutcomes } from './employment-outcomes';
import { EmploymentEventsController } from './employment-events.controller';
import { EmploymentEventsService } from './employment-events.service';
import { EmploymentReferralRepository } from './employment-referral.repository';
import { ProviderReferralsController } from './provider-referrals.controller';
import { ProviderReferralsService } from './provider-referrals.service';
import { RetentionCheckRepository } from './retention-check.repository';
import { RetentionService } from './retention.service';
import { RetentionSweeper } from './retention.sweeper';
import { EmploymentRoutingService } from './routing.service';

@Module({
  imports: [DivisionsModule, ProvidersModule, NoticesModule],
  controllers: [ProviderReferralsController, EmploymentEventsController],
  providers: [
    EmploymentReferralRepository,
    RetentionCheckRepository,
    EmploymentRoutingService,
    EmploymentOutcomes,
    EmploymentEventsService,
    ProviderReferralsService,
    RetentionService,
    RetentionSweeper,
  ],
})
export class ReferralsModule {}
