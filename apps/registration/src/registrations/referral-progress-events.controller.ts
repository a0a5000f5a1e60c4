import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EVENTS,
  EventEnvelope,
  ReferralAssignedData,
  ReferralCancelledData,
  ReferralDeclinedData,
  ReferralFileSummarisedData,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralProgressService } from './referral-progress.service';

@Controller()
export class ReferralProgressEventsController {
  constructor(private readonly progress: ReferralProgressService) {}

  @OnEvent(EVENTS.referralAssigned)
  onAssigned(@Payload() event: EventEnvelope<ReferralAssignedData>): Promise<void> {
    return this.progress.onAssigned(event);
  }

  @OnEvent(EVENTS.referralDeclined)
  onDeclined(@Payload() event: EventEnvelope<ReferralDeclinedData>): Promise<void> {
    return this.progress.onDeclined(event);
  }

  @OnEvent(EVENTS.referralFileSummarised)
  onFileSummarised(@Payload() event: EventEnvelope<ReferralFileSummarisedData>): Promise<void> {
    return this.progress.onFileSummarised(event);
  }

  @OnEvent(EVENTS.referralCancelled)
  onCancelled(@Payload() event: EventEnvelope<ReferralCancelledData>): Promise<void> {
    return this.progress.onCancelled(event);
  }
}
