import { Inject, Injectable, Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { isObservable, lastValueFrom } from 'rxjs';
import { ConsumerDefinition, EventEnvelope, filterMatches, HEADERS, STREAMS } from '@app/contracts';
import { TransactionHost, systemActor } from '@app/persistence';
import { DeadLetterService } from '../dead-letter/dead-letter.service';
import { decodeEnvelope, DecodedEvent } from '../envelope.codec';
import { crashpoint } from '../faults';
import { InboxRepository } from '../inbox/inbox.repository';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../messaging.metrics';
import { NatsConnectionService } from '../nats-connection.service';
import { continueTrace, runWithTrace } from '../trace-context';
import { JetStreamContext } from './jetstream.context';
import { KeyedLimiter } from './keyed-limiter';
import { settle } from './settlement';

/** Handlers act for the service itself: the event, not a caller, decides what they touch. */
const EVENT_HANDLER_ACTOR = systemActor('event-handler');

export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM');

/**
 * NestJS transport over JetStream durable pull consumers. Each message is decoded and validated, then its
 * `@OnEvent` handler runs inside one Postgres transaction that also records the inbox row; the message is
 * acked only after that commit. A handler error is never acked: transient failures are nak'ed with backoff,
 * permanent ones (and the last allowed delivery) are dead-lettered and terminated.
 */
@Injectable()
export class JetStreamServer extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  /** Nest must hand handler failures back to us instead of logging and forgetting them. */
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(JetStreamServer.name);

  private readonly abort = new AbortController();
  private readonly subscriptions = new Set<ConsumerMessages>();
  private readonly loops: Promise<void>[] = [];
  private readonly limiter: KeyedLimiter;
  private closed = false;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly tx: TransactionHost,
    private readonly inbox: InboxRepository,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: MessagingMetrics,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    super();
    this.limiter = new KeyedLimiter(options.consumerConcurrency, (error) =>
      // Settling failed (connection closed mid-settle): the server redelivers after ack_wait.
      this.logger.warn(`message left unsettled: ${(error as Error)?.message}`),
    );
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    const patterns = [...this.getHandlers().keys()];
    for (const pattern of patterns) {
      if (!this.options.consumers.some((c) => filterMatches(c.filterSubject, pattern))) {
        throw new Error(
          `${this.options.service} handles ${pattern} but none of its consumers delivers it: add one to CONSUMERS`,
        );
      }
    }
    for (const consumer of this.options.consumers) {
      if (!patterns.some((p) => filterMatches(consumer.filterSubject, p))) {
        // The durable exists (provisioned) and keeps its messages until a handler ships: nothing is acked unread.
        this.logger.warn(
          `consumer ${consumer.durable} has no @OnEvent handler yet; its messages wait in the stream`,
        );
        continue;
      }
      this.loops.push(this.consumeLoop(consumer));
    }
    callback();
  }

  on(): never {
    throw new Error('JetStreamServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.nats as T;
  }

  /** Stops fetching, lets in-flight messages finish (bounded by the grace period). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    for (const messages of this.subscriptions) await messages.close().catch(() => undefined);
    await Promise.race([
      Promise.all([this.limiter.idle(), ...this.loops]),
      new Promise((r) => setTimeout(r, this.options.shutdownGraceMs)),
    ]);
  }

  private async consumeLoop(consumer: ConsumerDefinition): Promise<void> {
    const stream = this.nats.topology.streamName(consumer.stream);
    const durable = this.nats.topology.durable(consumer);
    let delay = 250;
    while (!this.closed) {
      try {
        const { js } = await this.nats.ready(this.abort.signal);
        const handle = await js.consumers.get(stream, durable);
        const messages = await handle.consume({
          max_messages: Math.max(this.options.consumerConcurrency * 2, 16),
          expires: 5000,
        });
        this.subscriptions.add(messages);
        delay = 250;
        try {
          for await (const message of messages) {
            await this.limiter.schedule(this.orderingKeyOf(message), () => this.process(consumer, message));
            if (this.closed) break;
          }
        } finally {
          this.subscriptions.delete(messages);
        }
      } catch (error) {
        if (this.closed) break;
        this.logger.warn(`consumer ${durable}: ${(error as Error).message}; resubscribing in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  }

  /** Messages about one referral are processed in order; the CloudEvents subject is the key. */
  private orderingKeyOf(message: JsMsg): string {
    try {
      const parsed = message.json<{ subject?: unknown }>();
      if (typeof parsed?.subject === 'string') return parsed.subject;
    } catch {
      // undecodable: handled (dead-lettered) in process()
    }
    return `seq:${message.seq}`;
  }

  /** Decodes, then handles the message inside the trace and flow it belongs to (dead-lettering included). */
  private async process(consumer: ConsumerDefinition, message: JsMsg): Promise<void> {
    const started = process.hrtime.bigint();
    const registrySubject = this.nats.topology.registrySubject(message.subject) ?? message.subject;
    let decoded: DecodedEvent | undefined;
    let outcome = 'ack';
    try {
      try {
        decoded = decodeEnvelope(message.string(), registrySubject);
      } catch (error) {
        outcome = await this.settleFailure(consumer, message, undefined, error);
        return;
      }
      const { envelope } = decoded;
      const trace = continueTrace(message.headers?.get(HEADERS.traceparent) || undefined, undefined, {
        correlationId: envelope.correlationid,
        causationId: envelope.id,
      });
      outcome = await runWithTrace(trace, () => this.handle(consumer, message, decoded!));
    } finally {
      const labels = {
        event_type: decoded?.definition.type ?? 'invalid',
        consumer: consumer.durable,
        outcome,
      };
      this.metrics.consumed.inc(labels);
      this.metrics.processing.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      if (message.info.deliveryCount > 1) this.metrics.redeliveries.inc({ consumer: consumer.durable });
    }
  }

  private async handle(consumer: ConsumerDefinition, message: JsMsg, decoded: DecodedEvent): Promise<string> {
    const { envelope, definition } = decoded;
    const handler = this.getHandlerByPattern(definition.subject);
    if (!handler) {
      await message.ackAck();
      return 'ignored';
    }
    const durable = this.nats.topology.durable(consumer);
    try {
      const fresh = await this.tx.run(async () => {
        if (!(await this.inbox.claim(durable, envelope.id, envelope.type))) return false;
        const context = new JetStreamContext([message, envelope, consumer]);
        const result: unknown = await handler(envelope, context);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        crashpoint('consumer-before-commit');
        return true;
      }, EVENT_HANDLER_ACTOR);
      crashpoint('consumer-after-commit');
      // If this ack is lost the message comes back after ack_wait and the inbox row turns it into a no-op.
      await message
        .ackAck()
        .catch((e: Error) => this.logger.warn(`ack of ${envelope.id} not confirmed: ${e.message}`));
      return fresh ? 'ack' : 'duplicate';
    } catch (error) {
      return this.settleFailure(consumer, message, envelope, error);
    }
  }

  private async settleFailure(
    consumer: ConsumerDefinition,
    message: JsMsg,
    envelope: EventEnvelope | undefined,
    error: unknown,
  ): Promise<string> {
    const deliveries = message.info.deliveryCount;
    const decision = settle(error, deliveries, consumer.delivery);
    if (decision.action === 'nak') {
      this.logger.warn(
        `${consumer.durable}: ${envelope?.id ?? `#${message.seq}`} failed (${decision.code}: ${(error as Error)?.message}); ` +
          `delivery ${deliveries}/${consumer.delivery.maxDeliver}, retry in ${decision.delayMs} ms`,
      );
      message.nak(decision.delayMs);
      return 'nak';
    }
    try {
      await this.deadLetters.park({
        consumer: consumer.durable,
        stream: STREAMS[consumer.stream].name,
        streamSeq: message.seq,
        subject: this.nats.topology.registrySubject(message.subject) ?? message.subject,
        eventId: envelope?.id,
        eventType: envelope?.type,
        payload: message.string(),
        headers: Object.fromEntries(
          [HEADERS.traceparent, HEADERS.correlationId, HEADERS.msgId]
            .map((h) => [h, message.headers?.get(h) ?? ''] as const)
            .filter(([, v]) => v !== ''),
        ),
        errorCode: decision.code,
        errorMessage: decision.reason,
        deliveries,
      });
    } catch (parkError) {
      // Never terminate a message we could not record: let it come back and try again.
      this.logger.error(
        `${consumer.durable}: could not dead-letter #${message.seq}: ${(parkError as Error).message}`,
      );
      message.nak(consumer.delivery.backoffMs[0] ?? 1000);
      return 'nak';
    }
    message.term();
    return 'dead-letter';
  }
}
