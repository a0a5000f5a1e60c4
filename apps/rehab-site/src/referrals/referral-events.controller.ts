import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventEnvelope, EVENTS, ReferralConsentWithdrawnData, ReferralRegisteredData } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralsService } from './referrals.service';

@Controller()
export class ReferralEventsController {
  constructor(private readonly referrals: ReferralsService) {}

  @OnEvent(EVENTS.referralRegistered)
  async registered(@Payload() event: EventEnvelope<ReferralRegisteredData>): Promise<void> {
    await this.referrals.onRegistered(event.data);
  }

  @OnEvent(EVENTS.referralConsentWithdrawn)
  async consentWithdrawn(@Payload() event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    await this.referrals.onConsentWithdrawn(event.data);
  }
}
