import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  EmploymentReadinessConfirmedData,
  EventEnvelope,
  EVENTS,
  GreenReadmittedData,
  GreenRelapseReportedData,
  ReferralConsentWithdrawnData,
} from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { EmploymentEventsService } from './employment-events.service';

@Controller()
export class EmploymentEventsController {
  constructor(private readonly service: EmploymentEventsService) {}

  @OnEvent(EVENTS.employmentReadinessConfirmed)
  onReadinessConfirmed(@Payload() event: EventEnvelope<EmploymentReadinessConfirmedData>): Promise<void> {
    return this.service.onReadinessConfirmed(event);
  }

  @OnEvent(EVENTS.greenRelapseReported)
  onRelapseReported(@Payload() event: EventEnvelope<GreenRelapseReportedData>): Promise<void> {
    return this.service.onRelapseReported(event);
  }

  @OnEvent(EVENTS.greenReadmitted)
  onReadmitted(@Payload() event: EventEnvelope<GreenReadmittedData>): Promise<void> {
    return this.service.onReadmitted(event);
  }

  @OnEvent(EVENTS.referralConsentWithdrawn)
  onConsentWithdrawn(@Payload() event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    return this.service.onConsentWithdrawn(event);
  }
}
