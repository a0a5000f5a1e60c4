import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EventEnvelope,
  EVENTS,
  ReferralCancelledData,
  ReferralConsentGrantedData,
  ReferralConsentWithdrawnData,
  ReferralRegisteredData,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralIntakeService } from './referral-intake.service';

@Controller()
export class ReferralEventsController {
  constructor(private readonly intake: ReferralIntakeService) {}

  @OnEvent(EVENTS.referralRegistered)
  onRegistered(@Payload() event: EventEnvelope<ReferralRegisteredData>): Promise<void> {
    return this.intake.onRegistered(event);
  }

  @OnEvent(EVENTS.referralConsentGranted)
  onConsentGranted(@Payload() event: EventEnvelope<ReferralConsentGrantedData>): Promise<void> {
    return this.intake.onConsentGranted(event);
  }

  @OnEvent(EVENTS.referralConsentWithdrawn)
  onConsentWithdrawn(@Payload() event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    return this.intake.onConsentWithdrawn(event);
  }

  @OnEvent(EVENTS.referralCancelled)
  onCancelled(@Payload() event: EventEnvelope<ReferralCancelledData>): Promise<void> {
    return this.intake.onCancelled(event);
  }
}
