import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EVENTS, EventEnvelope, ReferralAssessedData } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { ReferralRebuildService } from './referral-rebuild.service';

/**
 * hospital-intake's own `referral.assessed` on its whole-stream durable: rebuilds the referral when a database
 * restore lost it (ReferralRebuildService). Its `referral.discharged` stays unhandled (acked as ignored).
 */
@Controller()
export class OwnEventsController {
  constructor(private readonly rebuild: ReferralRebuildService) {}

  @OnEvent(EVENTS.referralAssessed)
  onAssessed(@Payload() event: EventEnvelope<ReferralAssessedData>): Promise<void> {
    return this.rebuild.onOwnAssessed(event);
  }
}
