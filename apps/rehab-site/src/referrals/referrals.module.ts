import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { DirectoryModule } from '../directory/directory.module';
import { EmploymentModule } from '../employment/employment.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { GreenChannelEventsController } from '../green-channel/green-channel-events.controller';
import { GreenChannelService } from '../green-channel/green-channel.service';
import { GreenHoldRepository } from '../green-channel/green-hold.repository';
import { GreenHoldSweeper } from '../green-channel/green-hold.sweeper';
import { AssessmentTimerSweeper } from './assessment-timer.sweeper';
import { AssessmentTimersService } from './assessment-timers.service';
import { EscalationSweeper } from './escalation.sweeper';
import { ManualPlacementController } from './manual-placement.controller';
import { ManualPlacementService } from './manual-placement.service';
import { EmploymentReadinessGate } from './employment-readiness.service';
import { ReadinessRepository } from './readiness.repository';
import { ReferralEventsController } from './referral-events.controller';
import { EarlyWithdrawalRepository } from './early-withdrawal.repository';
import { ReferralRepository } from './referral.repository';
import { ReferralEscalationService } from './referral-escalation.service';
import { ReferralIntakeService } from './referral-intake.service';
import { ServiceRecordsService } from './service-records.service';
import { SiteActions } from './site-actions';
import { SiteDecisionsService } from './site-decisions.service';
import { RoutingService } from './routing.service';
import { SiteReferralsController } from './site-referrals.controller';
import { SiteReferralStreamController } from './site-referral-stream.controller';
import { SiteReferralStream } from './site-referral-stream.service';
import { SiteContactSeal } from './site-contact-seal';
import { SubjectFileService } from './subject-file.service';

@Module({
  imports: [DivisionsModule, DirectoryModule, WebhooksModule, EmploymentModule],
  controllers: [
    // First: its `events` route must not be taken for a `:referralId` of SiteReferralsController.
    SiteReferralStreamController,
    SiteReferralsController,
    ReferralEventsController,
    GreenChannelEventsController,
    ManualPlacementController,
  ],
  providers: [
    SiteReferralStream,
    ReferralRepository,
    EarlyWithdrawalRepository,
    RoutingService,
    ReferralIntakeService,
    ReferralEscalationService,
    SiteActions,
    SiteDecisionsService,
    ServiceRecordsService,
    EscalationSweeper,
    ReadinessRepository,
    EmploymentReadinessGate,
    GreenHoldRepository,
    GreenChannelService,
    GreenHoldSweeper,
    ManualPlacementService,
    SiteContactSeal,
    SubjectFileService,
    AssessmentTimersService,
    AssessmentTimerSweeper,
  ],
})
export class ReferralsModule {}
