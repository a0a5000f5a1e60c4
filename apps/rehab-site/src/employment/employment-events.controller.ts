import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EmploymentStageChangedData, EventEnvelope, EVENTS } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { EmploymentOutcomeService } from './employment-outcome.service';

@Controller()
export class EmploymentEventsController {
  constructor(private readonly outcomes: EmploymentOutcomeService) {}

  @OnEvent(EVENTS.employmentStageChanged)
  onStageChanged(@Payload() event: EventEnvelope<EmploymentStageChangedData>): Promise<void> {
    return this.outcomes.onStageChanged(event);
  }
}
