import { EventPattern } from '@nestjs/microservices';
import { EventDefinition } from '@app/contracts';

/**
 * Binds a handler to an event of the registry: `@OnEvent(EVENTS.referralAssessed)`. The handler receives the
 * validated envelope (`@Payload() event: EventEnvelope<ReferralAssessedData>`) and runs inside the
 * transaction that records the inbox row, so its effects and the events it publishes commit together.
 */
export const OnEvent = (definition: EventDefinition): MethodDecorator =>
  EventPattern<string>(definition.subject);

/**
 * Binds one handler to several events of the registry (a read model that records every event of a stream the
 * same way): `@OnEvents(EVENTS.referralDischarged, EVENTS.referralAssessed)`. Each event still has one handler.
 */
export const OnEvents = (...definitions: EventDefinition[]): MethodDecorator =>
  EventPattern<string[]>(definitions.map((d) => d.subject));
