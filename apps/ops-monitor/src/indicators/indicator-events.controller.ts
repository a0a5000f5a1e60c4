import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventEnvelope } from '@app/contracts';
import { OnEvents } from '@app/messaging';
import { INDICATOR_ONLY_EVENTS } from './indicator-facts';
import { IndicatorsService } from './indicators.service';

/** EMPLOYMENT stream, read-only: placements and retention checks (the timeline does not record them). */
@Controller()
export class IndicatorEventsController {
  constructor(private readonly indicators: IndicatorsService) {}

  @OnEvents(...INDICATOR_ONLY_EVENTS)
  onEmploymentOutcome(@Payload() event: EventEnvelope): Promise<void> {
    return this.indicators.onEvent(event);
  }
}
