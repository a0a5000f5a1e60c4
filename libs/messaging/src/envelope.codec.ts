import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { ValidationError } from 'class-validator';
import { CloudEvent, ValidationError as CloudEventValidationError } from 'cloudevents';
import { EventDefinition, eventBySubject, EventEnvelope, validateSyncCompiled } from '@app/contracts';
import { FieldError } from '@app/core';
import { InvalidEventException } from './messaging.errors';

export interface EnvelopeOptions {
  /** The referral id the event is about (CloudEvents `subject`). */
  subject?: string;
  correlationId?: string;
  causationId?: string;
  id?: string;
  time?: Date;
}

/** Flattens class-validator errors into JSON-pointer field errors. */
export function toFieldErrors(errors: ValidationError[], prefix = '#'): FieldError[] {
  return errors.flatMap((error) => {
    const pointer = `${prefix}/${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((detail) => ({ pointer, detail }));
    return [...own, ...toFieldErrors(error.children ?? [], pointer)];
  });
}

/** Validates `data` against the event's DTO; returns the DTO instance (unknown properties stripped). */
export function validateEventData<T extends object>(definition: EventDefinition<T>, data: unknown): T {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InvalidEventException(`${definition.type}: data must be a JSON object`);
  }
  const instance = plainToInstance(definition.data, data);
  const errors = validateSyncCompiled(instance, { whitelist: true, forbidUnknownValues: true });
  if (errors.length > 0) {
    const fieldErrors = toFieldErrors(errors, '#/data');
    throw new InvalidEventException(
      `${definition.type}: ${fieldErrors.map((e) => `${e.pointer} ${e.detail}`).join('; ')}`,
      { errors: fieldErrors },
    );
  }
  return instance;
}

export function buildEnvelope<T extends object>(
  definition: EventDefinition<T>,
  source: string,
  data: T,
  options: EnvelopeOptions = {},
): EventEnvelope<T> {
  const validated = validateEventData(definition, data);
  const id = options.id ?? randomUUID();
  const event = new CloudEvent<T>({
    specversion: '1.0',
    id,
    source: `/${source}`,
    type: definition.type,
    subject: options.subject,
    time: (options.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    correlationid: options.correlationId ?? id,
    ...(options.causationId ? { causationid: options.causationId } : {}),
    data: { ...validated },
  });
  return event.toJSON() as unknown as EventEnvelope<T>;
}

export interface DecodedEvent {
  readonly envelope: EventEnvelope;
  readonly definition: EventDefinition;
}

/**
 * Parses and validates a structured-mode CloudEvent received on `registrySubject`. Anything wrong is an
 * InvalidEventException: retrying an invalid message can never succeed, so it is dead-lettered at once.
 */
export function decodeEnvelope(body: string, registrySubject: string): DecodedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new InvalidEventException('message body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidEventException('message body is not a JSON object');
  }
  // The CloudEvents SDK fills in a missing id, time or specversion; a consumer must not: a made-up id
  // would defeat the inbox.
  const raw = parsed as Record<string, unknown>;
  for (const attribute of ['id', 'time', 'source', 'type'] as const) {
    const value = raw[attribute];
    if (typeof value !== 'string' || value.length === 0) {
      throw new InvalidEventException(`CloudEvent attribute ${attribute} is missing`);
    }
  }
  if (raw.specversion !== '1.0') {
    throw new InvalidEventException(`specversion must be 1.0, got ${JSON.stringify(raw.specversion)}`);
  }
  const definition = eventBySubject(registrySubject);
  if (!definition) {
    throw new InvalidEventException(`no event is registered for subject ${registrySubject}`);
  }
  let event: CloudEvent<unknown>;
  try {
    event = new CloudEvent(raw, true);
  } catch (error) {
    const detail = error instanceof CloudEventValidationError ? JSON.stringify(error.errors) : String(error);
    throw new InvalidEventException(`not a valid CloudEvent: ${detail}`);
  }
  if (event.type !== definition.type) {
    throw new InvalidEventException(
      `type ${event.type} does not match ${definition.type} on ${registrySubject}`,
    );
  }
  const envelope = event.toJSON() as unknown as EventEnvelope;
  if (typeof envelope.correlationid !== 'string' || envelope.correlationid.length === 0) {
    throw new InvalidEventException('correlationid is missing');
  }
  envelope.data = validateEventData(definition, envelope.data);
  return { envelope, definition };
}
