import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { EventEnvelope, EVENTS, GreenReadmittedData } from '@app/contracts';
import { OnEvent } from '@app/messaging';
import { GreenChannelService } from './green-channel.service';

@Controller()
export class GreenChannelEventsController {
  constructor(private readonly green: GreenChannelService) {}

  @OnEvent(EVENTS.greenReadmitted)
  onReadmitted(@Payload() event: EventEnvelope<GreenReadmittedData>): Promise<void> {
    return this.green.onReadmitted(event);
  }
}
