import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EventDefinition, HEADERS, recipientSubject } from '@app/contracts';
import { DomainException } from '@app/core';
import { TransactionHost } from '@app/persistence';
import { buildEnvelope, EnvelopeOptions } from '../envelope.codec';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingErrorCode } from '../messaging.errors';
import { currentTrace, currentTraceHeaders, TraceContext } from '../trace-context';
import { allowedSources, sourceOf } from '../security/event-origin';
import { OutboxRepository } from './outbox.repository';

export interface PublishOptions extends EnvelopeOptions {
  /** Events with the same key are delivered in the order they were published. Defaults to `subject`. */
  orderingKey?: string;
  /** Required for (and only for) per-recipient events: the id put into the wire subject (`site.<id>.…`). */
  recipient?: string;
}

/** Per handler attempt (its trace context): how many events of each kind it has published so far. */
const publishedInFlow = new WeakMap<TraceContext, Map<string, number>>();

/**
 * The id of an event published while a consumer handles an inbound event: a name-based UUID (RFC 9562
 * version 8, SHA-256) of the service, the durable, the inbound event id, the event type, subject and recipient,
 * and how many such events this attempt published before. Handling the same input again (a redelivery after a lost ack, or
 * every input after a database restore with its durables rewound) publishes the same ids, so the stream's
 * duplicate window drops the copy and the readers' inboxes recognise it after that window; a fresh random id
 * would look like a new event to everyone downstream. Undefined outside a handler (HTTP requests, timers).
 */
export function derivedEventId(
  service: string,
  flow: TraceContext | undefined,
  type: string,
  subject: string | undefined,
  recipient: string | undefined,
): string | undefined {
  if (!flow?.causationId || !flow.consumer) return undefined;
  const key = [service, flow.consumer, flow.causationId, type, subject ?? '', recipient ?? ''].join('\n');
  const counts = publishedInFlow.get(flow) ?? new Map<string, number>();
  publishedInFlow.set(flow, counts);
  const ordinal = counts.get(key) ?? 0;
  counts.set(key, ordinal + 1);
  const hash = createHash('sha256').update(`${key}\n${ordinal}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x80;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * How feature code publishes: the event is validated, wrapped in a CloudEvent and written to the outbox in
 * the caller's transaction (buffered: all rows of a unit of work go in one INSERT just before it commits, with its audit rows).
 * The relay sends it after commit. Returns the event id.
 */
@Injectable()
export class EventPublisher {
  constructor(
    private readonly tx: TransactionHost,
    private readonly outbox: OutboxRepository,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async publish<T extends object>(
    definition: EventDefinition<T>,
    data: T,
    options: PublishOptions = {},
  ): Promise<string> {
    const [id] = await this.publishAll([{ definition, data, options }]);
    return id;
  }

  async publishAll(
    events: { definition: EventDefinition; data: object; options?: PublishOptions }[],
  ): Promise<string[]> {
    if (!this.tx.inTransaction) {
      throw new DomainException(
        MessagingErrorCode.NOT_IN_TRANSACTION,
        'conflict',
        'Events are published through the outbox and must be written inside TransactionHost.run()',
      );
    }
    const rows = events.map(({ definition, data, options = {} }) => {
      if (!allowedSources(definition).includes(sourceOf(this.options.service))) {
        throw new DomainException(
          MessagingErrorCode.NOT_THE_PRODUCER,
          'conflict',
          `${this.options.service} may not publish ${definition.type} (producer: ${definition.producer})`,
        );
      }
      // Inside a handler (or a request) the flow's correlation id and the causing event are the defaults.
      const flow = currentTrace();
      const envelope = buildEnvelope(definition, this.options.service, data, {
        ...options,
        id:
          options.id ??
          derivedEventId(this.options.service, flow, definition.type, options.subject, options.recipient),
        correlationId: options.correlationId ?? flow?.correlationId,
        causationId: options.causationId ?? flow?.causationId,
      });
      const headers: Record<string, string> = {
        ...currentTraceHeaders(),
        [HEADERS.correlationId]: envelope.correlationid,
      };
      return {
        id: envelope.id,
        subject: this.wireSubject(definition, options.recipient),
        eventType: definition.type,
        orderingKey: options.orderingKey ?? envelope.subject ?? envelope.id,
        payload: JSON.stringify(envelope),
        headers,
      };
    });
    await this.outbox.enqueue(rows);
    return rows.map((r) => r.id);
  }

  private wireSubject(definition: EventDefinition, recipient: string | undefined): string {
    if (!definition.perRecipient && recipient === undefined) return definition.subject;
    if (definition.perRecipient && recipient !== undefined) return recipientSubject(definition, recipient);
    throw new DomainException(
      MessagingErrorCode.INVALID_EVENT,
      'invalid',
      definition.perRecipient
        ? `${definition.type} is per recipient: publish it with a recipient`
        : `${definition.type} is not per recipient: publish it without one`,
    );
  }
}
