import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { DeadLetterRecordedData, EventEnvelope, EVENTS, OpsAlertRaisedData } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { AlertsService } from './alerts.service';

/** OPS and DLQ streams, read-only: alerts from every service and dead-letter records. */
@Controller()
export class AlertEventsController {
  constructor(private readonly alerts: AlertsService) {}

  @OnEvent(EVENTS.opsAlertRaised)
  onAlertRaised(@Payload() event: EventEnvelope<OpsAlertRaisedData>): Promise<void> {
    return this.alerts.onAlertRaised(event);
  }

  @OnEvent(EVENTS.deadLetterRecorded)
  onDeadLetterRecorded(@Payload() event: EventEnvelope<DeadLetterRecordedData>): Promise<void> {
    return this.alerts.onDeadLetterRecorded(event);
  }
}
