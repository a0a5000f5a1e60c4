import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EVENTS, EventEnvelope, GreenRelapseReportedData } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { GreenLadderService } from './green-ladder.service';

/** A relapse report opens a green case and puts it on the ladder. */
@Controller()
export class GreenEventsController {
  constructor(private readonly ladder: GreenLadderService) {}

  @OnEvent(EVENTS.greenRelapseReported)
  onRelapse(@Payload() event: EventEnvelope<GreenRelapseReportedData>): Promise<void> {
    return this.ladder.onRelapseReported(event);
  }
}
