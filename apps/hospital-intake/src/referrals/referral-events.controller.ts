import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EmploymentStageChangedData,
  EVENTS,
  EventEnvelope,
  ReferralApplicationEndedData,
  ReferralAssignedData,
  ReferralClosedData,
  ReferralConsentWithdrawnData,
  ReferralRegisteredData,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralService } from './referral.service';

/** Closes the loop back to the referring hospital. */
@Controller()
export class ReferralEventsController {
  constructor(private readonly referrals: ReferralService) {}

  @OnEvent(EVENTS.employmentStageChanged)
  onEmploymentStageChanged(@Payload() event: EventEnvelope<EmploymentStageChangedData>): Promise<void> {
    return this.referrals.onEmploymentStageChanged(event);
  }

  @OnEvent(EVENTS.referralRegistered)
  onRegistered(@Payload() event: EventEnvelope<ReferralRegisteredData>): Promise<void> {
    return this.referrals.onRegistered(event);
  }

  @OnEvent(EVENTS.referralAssigned)
  onAssigned(@Payload() event: EventEnvelope<ReferralAssignedData>): Promise<void> {
    return this.referrals.onAssigned(event);
  }

  @OnEvent(EVENTS.referralConsentWithdrawn)
  onConsentWithdrawn(@Payload() event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    return this.referrals.onConsentWithdrawn(event);
  }

  @OnEvent(EVENTS.referralApplicationEnded)
  onApplicationEnded(@Payload() event: EventEnvelope<ReferralApplicationEndedData>): Promise<void> {
    return this.referrals.onApplicationEnded(event);
  }

  @OnEvent(EVENTS.referralClosed)
  onClosed(@Payload() event: EventEnvelope<ReferralClosedData>): Promise<void> {
    return this.referrals.onClosed(event);
  }
}
