import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EmploymentStageChangedData,
  EVENTS,
  EventEnvelope,
  ReferralAcceptedData,
  ReferralApplicationEndedData,
  ReferralAssignedData,
  ReferralClosedData,
  ReferralConsentWithdrawnData,
  ReferralDeclinedData,
  ReferralEscalatedData,
  ReferralRegisteredData,
  ReferralRegistrationExpiredData,
  ReferralServiceRecordedData,
  ReferralTransferredData,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralService } from './referral.service';

/** Closes the loop back to the referring hospital: every lifecycle step lands on its timeline. */
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

  @OnEvent(EVENTS.referralAccepted)
  onAccepted(@Payload() event: EventEnvelope<ReferralAcceptedData>): Promise<void> {
    return this.referrals.onAccepted(event);
  }

  @OnEvent(EVENTS.referralDeclined)
  onDeclined(@Payload() event: EventEnvelope<ReferralDeclinedData>): Promise<void> {
    return this.referrals.onDeclined(event);
  }

  @OnEvent(EVENTS.referralEscalated)
  onEscalated(@Payload() event: EventEnvelope<ReferralEscalatedData>): Promise<void> {
    return this.referrals.onEscalated(event);
  }

  @OnEvent(EVENTS.referralServiceRecorded)
  onServiceRecorded(@Payload() event: EventEnvelope<ReferralServiceRecordedData>): Promise<void> {
    return this.referrals.onServiceRecorded(event);
  }

  @OnEvent(EVENTS.referralTransferred)
  onTransferred(@Payload() event: EventEnvelope<ReferralTransferredData>): Promise<void> {
    return this.referrals.onTransferred(event);
  }

  @OnEvent(EVENTS.referralConsentWithdrawn)
  onConsentWithdrawn(@Payload() event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    return this.referrals.onConsentWithdrawn(event);
  }

  @OnEvent(EVENTS.referralApplicationEnded)
  onApplicationEnded(@Payload() event: EventEnvelope<ReferralApplicationEndedData>): Promise<void> {
    return this.referrals.onApplicationEnded(event);
  }

  @OnEvent(EVENTS.referralRegistrationExpired)
  onRegistrationExpired(@Payload() event: EventEnvelope<ReferralRegistrationExpiredData>): Promise<void> {
    return this.referrals.onRegistrationExpired(event);
  }

  @OnEvent(EVENTS.referralClosed)
  onClosed(@Payload() event: EventEnvelope<ReferralClosedData>): Promise<void> {
    return this.referrals.onClosed(event);
  }
}
