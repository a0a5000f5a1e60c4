import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { DirectoryModule } from '../directory/directory.module';
import { WebhooksModule } from '../webhooks/webhooks.module';
import { EscalationSweeper } from './escalation.sweeper';
import { ReferralEventsController } from './referral-events.controller';
import { EarlyWithdrawalRepository } from './early-withdrawal.repository';
import { ReferralRepository } from './referral.repository';
import { ReferralsService } from './referrals.service';
import { RoutingService } from './routing.service';
import { SiteReferralsController } from './site-referrals.controller';

@Module({
  imports: [DivisionsModule, DirectoryModule, WebhooksModule],
  controllers: [SiteReferralsController, ReferralEventsController],
  providers: [
    ReferralRepository,
    EarlyWithdrawalRepository,
    RoutingService,
    ReferralsService,
    EscalationSweeper,
  ],
})
export class ReferralsModule {}
