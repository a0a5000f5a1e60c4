import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EVENTS,
  EventEnvelope,
  GreenRelapseReportedData,
  ReferralAssessedData,
  ReferralConsentsAddedData,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { HospitalChannelService } from './hospital-channel.service';

@Controller()
export class HospitalChannelEventsController {
  constructor(private readonly hospitalChannel: HospitalChannelService) {}

  @OnEvent(EVENTS.referralAssessed)
  onAssessed(@Payload() event: EventEnvelope<ReferralAssessedData>): Promise<void> {
    return this.hospitalChannel.onAssessed(event);
  }

  @OnEvent(EVENTS.referralConsentsAdded)
  onConsentsAdded(@Payload() event: EventEnvelope<ReferralConsentsAddedData>): Promise<void> {
    return this.hospitalChannel.onConsentsAdded(event);
  }

  @OnEvent(EVENTS.greenRelapseReported)
  onRelapseReported(@Payload() event: EventEnvelope<GreenRelapseReportedData>): Promise<void> {
    return this.hospitalChannel.onRelapseReported(event);
  }
}
