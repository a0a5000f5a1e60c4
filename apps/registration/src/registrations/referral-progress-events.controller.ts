import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EVENTS, EventEnvelope, ReferralAssignedData } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralProgressService } from './referral-progress.service';

@Controller()
export class ReferralProgressEventsController {
  constructor(private readonly progress: ReferralProgressService) {}

  @OnEvent(EVENTS.referralAssigned)
  onAssigned(@Payload() event: EventEnvelope<ReferralAssignedData>): Promise<void> {
    return this.progress.onAssigned(event);
  }
}
