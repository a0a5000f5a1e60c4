import { Inject, Injectable } from '@nestjs/common';
import { EventDefinition, HEADERS, recipientSubject } from '@app/contracts';
import { DomainException } from '@app/core';
import { TransactionHost } from '@app/persistence';
import { buildEnvelope, EnvelopeOptions } from '../envelope.codec';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingErrorCode } from '../messaging.errors';
import { currentTrace, currentTraceHeaders } from '../trace-context';
import { allowedSources, sourceOf } from '../security/event-origin';
import { OutboxRepository } from './outbox.repository';

export interface PublishOptions extends EnvelopeOptions {
  /** Events with the same key are delivered in the order they were published. Defaults to `subject`. */
  orderingKey?: string;
  /** Required for (and only for) per-recipient events: the id put into the wire subject (`site.<id>.…`). */
  recipient?: string;
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
