import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { DirectoryModule } from '../directory/directory.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { EscalationSweeper } from './escalation.sweeper';
import { ManualPlacementController } from './manual-placement.controller';
import { ManualPlacementService } from './manual-placement.service';
import { ReferralEventsController } from './referral-events.controller';
import { ReferralRepository } from './referral.repository';
import { ReferralsService } from './referrals.service';
import { RoutingService } from './routing.service';
import { SiteReferralsController } from './site-referrals.controller';

@Module({
  imports: [DivisionsModule, DirectoryModule, WebhooksModule],
  controllers: [SiteReferralsController, ReferralEventsController, ManualPlacementController],
  providers: [
    ReferralRepository,
    RoutingService,
    ReferralsService,
    EscalationSweeper,
    ManualPlacementService,
  ],
})
export class ReferralsModule {}
