import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventEnvelope, EVENTS, ReferralConsentWithdrawnData, ReferralRegisteredData } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralsService } from './referrals.service';

@Controller()
export class ReferralEventsController {
  constructor(private readonly referrals: ReferralsService) {}

  @OnEvent(EVENTS.referralRegistered)
  onRegistered(@Payload() event: EventEnvelope<ReferralRegisteredData>): Promise<void> {
    return this.referrals.onRegistered(event);
  }

  @OnEvent(EVENTS.referralConsentWithdrawn)
  onConsentWithdrawn(@Payload() event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    return this.referrals.onConsentWithdrawn(event);
  }
}
