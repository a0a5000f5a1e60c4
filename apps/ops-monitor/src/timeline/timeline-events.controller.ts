import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventEnvelope } from '@app/contracts';
import { OnEvents } from '@app/messaging';
import { TIMELINE_EVENTS } from './timeline-projection';
import { TimelineService } from './timeline.service';

/** REFERRAL, GREEN and EMPLOYMENT streams, read-only: every lifecycle event goes into the timeline. */
@Controller()
export class TimelineEventsController {
  constructor(private readonly timeline: TimelineService) {}

  @OnEvents(...TIMELINE_EVENTS)
  onLifecycleEvent(@Payload() event: EventEnvelope): Promise<void> {
    return this.timeline.onEvent(event);
  }
}
