import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { EVENTS, EventEnvelope, GreenRelapseReportedData, ReferralAssessedData } from '@app/contracts';
import { JetStreamContext, OnEvent } from '@app/messaging';
import { RegistrationService } from './registration.service';

@Controller()
export class RegistrationEventsController {
  constructor(private readonly registration: RegistrationService) {}

  @OnEvent(EVENTS.referralAssessed)
  onAssessed(
    @Payload() event: EventEnvelope<ReferralAssessedData>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.registration.receiveHospitalApplication(event.data, event.id);
  }

  @OnEvent(EVENTS.greenRelapseReported)
  onRelapse(
    @Payload() event: EventEnvelope<GreenRelapseReportedData>,
    @Ctx() _ctx: JetStreamContext,
  ): Promise<void> {
    return this.registration.onRelapse(event.data);
  }
}
