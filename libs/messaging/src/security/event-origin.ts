import {
  EventDefinition,
  SERVICE_NAMES,
  ServiceName,
  SHARED_EVENTS,
  StreamKey,
  STREAMS,
} from '@app/contracts';
import { SecurityException } from '@app/core';
import { MessagingErrorCode } from '../messaging.errors';

/** The CloudEvents `source` a service publishes under (`/registration`). */
export function sourceOf(service: ServiceName): string {
  return `/${service}`;
}

/** The sources allowed to publish an event: its one producer, or any service for the shared ops records. */
export function allowedSources(definition: EventDefinition): readonly string[] {
  const producers = SHARED_EVENTS.includes(definition) ? SERVICE_NAMES : [definition.producer];
  return producers.map(sourceOf);
}

/** Where a message was delivered: the consumer's stream, and its subject with the namespace taken off. */
export interface Delivered {
  readonly stream: StreamKey;
  /** Undefined when the wire subject is outside this service's namespace. */
  readonly registrySubject: string | undefined;
}

/** What the origin check reads of an envelope (`data` only for the shared ops records' `service`). */
export interface OriginClaims {
  readonly source: string;
  readonly type: string;
  readonly data?: unknown;
}

/**
 * Why an event is refused, or undefined when its origin checks out. Pure: no I/O. A shared ops record
 * (ops.alert.raised, dead-letter.recorded) may come from any service, but only about itself: its
 * `data.service` must be the service that published it.
 */
export function originProblem(
  envelope: OriginClaims,
  definition: EventDefinition,
  delivered: Delivered,
): string | undefined {
  const root = STREAMS[delivered.stream].subjectRoot;
  if (delivered.registrySubject === undefined) return 'arrived on a subject outside this bus namespace';
  if (!delivered.registrySubject.startsWith(`${root}.`) || definition.stream !== delivered.stream) {
    return `arrived on ${delivered.registrySubject}, outside stream ${STREAMS[delivered.stream].name} (${root}.>)`;
  }
  const allowed = allowedSources(definition);
  if (!allowed.includes(envelope.source)) {
    return `declares source ${JSON.stringify(envelope.source.slice(0, 100))}; only ${allowed.join(', ')} may publish ${definition.type}`;
  }
  if (SHARED_EVENTS.includes(definition)) {
    const service = (envelope.data as { service?: unknown } | null | undefined)?.service;
    if (typeof service !== 'string' || sourceOf(service as ServiceName) !== envelope.source) {
      const named = typeof service === 'string' ? JSON.stringify(service.slice(0, 100)) : 'no service';
      return `${definition.type} from ${envelope.source} names ${named}: a service may only report about itself`;
    }
  }
  return undefined;
}

/** The event's origin is not the one the contracts allow: refused, dead-lettered, raised as a security alert. */
export class EventOriginException extends SecurityException {
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(MessagingErrorCode.EVENT_ORIGIN_REFUSED, `event refused: ${reason}`, details);
  }
}

/** Throws EventOriginException when `originProblem` finds one. */
export function verifyOrigin(
  envelope: OriginClaims,
  definition: EventDefinition,
  delivered: Delivered,
): void {
  const problem = originProblem(envelope, definition, delivered);
  if (problem) throw new EventOriginException(problem, { type: definition.type });
}
