import { EventPattern } from '@nestjs/microservices';
import { EventDefinition } from '@app/contracts';

/**
 * Binds a handler to an event of the registry: `@OnEvent(EVENTS.referralAssessed)`. The handler receives the
 * validated envelope (`@Payload() event: EventEnvelope<ReferralAssessedData>`) and runs inside the
 * transaction that records the inbox row, so its effects and the events it publishes commit together.
 */
export const OnEvent = (definition: EventDefinition): MethodDecorator =>
  EventPattern<string>(definition.subject);
