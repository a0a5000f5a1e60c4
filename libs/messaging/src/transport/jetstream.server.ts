import { Inject, Injectable, Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  ConsumerDefinition,
  EventEnvelope,
  filterMatches,
  HEADERS,
  StreamDefinition,
  STREAMS,
} from '@app/contracts';
import { TransactionHost, systemActor } from '@app/persistence';
import { DeadLetterService } from '../dead-letter/dead-letter.service';
import { decodeEnvelope, DecodedEvent } from '../envelope.codec';
import { crashpoint } from '../faults';
import { InboxRepository } from '../inbox/inbox.repository';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../messaging.metrics';
import { NatsConnectionService } from '../nats-connection.service';
import { verifyOrigin } from '../security/event-origin';
import { continueTrace, runWithTrace, TraceContext } from '../trace-context';
import { JetStreamContext } from './jetstream.context';
import { BatchLanes, inKeyOrder } from './batch-lanes';
import { FailureSettler } from './failure-settler';
import { UrgentWork } from './urgent-work';

/** Handlers act for the service itself: the event, not a caller, decides what they touch. */
const EVENT_HANDLER_ACTOR = systemActor('event-handler');

export const JETSTREAM_TRANSPORT = Symbol('JETSTREAM');

const NOTHING_YET = Symbol('nothing-yet');

/** The longest a routine lane waits for the process's urgent deliveries before it goes on regardless. */
export const URGENT_YIELD_MAX_MS = 500;

/** Resolves after the pending microtasks (buffered messages come first), before any new I/O is read. */
function nextTurn(): Promise<typeof NOTHING_YET> {
  return new Promise((resolve) => setImmediate(() => resolve(NOTHING_YET)));
}

type Handler = NonNullable<ReturnType<Server['getHandlerByPattern']>>;

/** A decoded message with a handler, ready to run. */
interface Delivery {
  readonly message: JsMsg;
  readonly decoded: DecodedEvent;
  readonly handler: Handler;
  readonly trace: TraceContext;
  readonly started: bigint;
}

/**
 * NestJS transport over JetStream durable pull consumers. Each message is decoded and validated, then its
 * `@OnEvent` handler runs inside a Postgres transaction that also records the inbox row; the message is
 * acked only after that commit. A handler error is never acked: transient failures are nak'ed with backoff,
 * permanent ones (and the last allowed delivery) are dead-lettered and terminated.
 *
 * Throughput: each consumer spreads its messages over `consumerLanes` lanes by the CloudEvents subject (the
 * referral), so one referral's events are handled in order and never concurrently. A lane handles the messages
 * already delivered to it (up to `consumerBatchSize`, never waiting for more) in ONE transaction: one inbox
 * INSERT for the batch, the handlers in order, the batch's audit and outbox rows flushed once before commit.
 * If anything in a batch fails, it rolls back and the messages are handled again in smaller transactions
 * (the failing one on its own, settled exactly as a single message), so a poison message costs only itself.
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
  /** Each consumer has its own lanes: GREEN events never wait behind a REFERRAL backlog. */
  private readonly lanes: BatchLanes<JsMsg>[] = [];
  /** GREEN deliveries in this process: routine lanes yield to them (the event loop and Postgres are shared). */
  private readonly urgent = new UrgentWork(URGENT_YIELD_MAX_MS);
  /** Each message decoded once (its lane key needs the envelope before prepare() does). */
  private readonly decodedOf = new WeakMap<JsMsg, DecodedEvent | { error: unknown }>();
  private closed = false;
  private readonly settler: FailureSettler;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly tx: TransactionHost,
    private readonly inbox: InboxRepository,
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: MessagingMetrics,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    super();
    this.settler = new FailureSettler(deadLetters, metrics, () => nats.topology, this.logger);
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
      Promise.all([...this.lanes.map((l) => l.idle()), ...this.loops]),
      new Promise((r) => setTimeout(r, this.options.shutdownGraceMs)),
    ]);
  }

  /** Messages in flight (queued on a lane or being handled) per consumer: bounds what one consumer holds. */
  private get inFlightLimit(): number {
    return this.options.consumerLanes * this.options.consumerBatchSize;
  }

  private async consumeLoop(consumer: ConsumerDefinition): Promise<void> {
    const stream = this.nats.topology.streamName(consumer.stream);
    const durable = this.nats.topology.durable(consumer);
    const urgent = (STREAMS[consumer.stream] as StreamDefinition).urgent === true;
    const lanes = new BatchLanes<JsMsg>({
      lanes: this.options.consumerLanes,
      batchSize: this.options.consumerBatchSize,
      capacity: this.inFlightLimit,
      keyOf: (message) => this.orderingKeyOf(message),
      onAdd: urgent ? () => this.urgent.begin() : undefined,
      run: urgent
        ? (batch) => this.processBatch(consumer, batch, false).finally(() => this.urgent.end(batch.length))
        : async (batch) => this.processBatch(consumer, batch, await this.urgent.quiet()),
      // Settling failed (connection closed mid-settle): the server redelivers after ack_wait.
      onError: (error) => this.logger.warn(`message left unsettled: ${(error as Error)?.message}`),
    });
    this.lanes.push(lanes);
    let delay = 250;
    while (!this.closed) {
      try {
        const { js } = await this.nats.ready(this.abort.signal);
        const handle = await js.consumers.get(stream, durable);
        const messages = await handle.consume({
          max_messages: Math.max(this.inFlightLimit, 16),
          expires: 5000,
        });
        this.subscriptions.add(messages);
        delay = 250;
        try {
          await this.feed(messages, lanes);
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

  /**
   * Hands messages to the lanes: waits for the first one, then takes those already delivered (resolved before
   * the event loop turns; no waiting) up to the in-flight limit, and only then starts the free lanes, so each
   * lane sees what is there as one batch. (The iterator's getPending() can stay above 0 with nothing buffered,
   * so it is not used to decide.)
   */
  private async feed(messages: ConsumerMessages, lanes: BatchLanes<JsMsg>): Promise<void> {
    const iterator = messages[Symbol.asyncIterator]();
    let pending: Promise<IteratorResult<JsMsg>> | undefined;
    const next = (): Promise<IteratorResult<JsMsg>> => (pending ??= iterator.next());
    while (!this.closed) {
      await lanes.whenCapacity();
      const first = await next();
      pending = undefined;
      if (first.done) return;
      lanes.add(first.value);
      while (!this.closed && lanes.hasCapacity) {
        const available = await Promise.race([next(), nextTurn()]);
        if (available === NOTHING_YET) break;
        pending = undefined;
        if (available.done) {
          lanes.dispatch();
          return;
        }
        lanes.add(available.value);
      }
      lanes.dispatch();
    }
  }

  /**
   * Messages about one referral are processed in order; the CloudEvents subject is the key. The message is
   * decoded here, once: `prepare()` takes the result (or the error) from `decodedOf`.
   */
  private orderingKeyOf(message: JsMsg): string {
    const result = this.decode(message);
    const subject = 'envelope' in result ? result.envelope.subject : undefined;
    return typeof subject === 'string' ? subject : `seq:${message.seq}`;
  }

  private decode(message: JsMsg): DecodedEvent | { error: unknown } {
    let result = this.decodedOf.get(message);
    if (!result) {
      const registrySubject = this.nats.topology.registrySubject(message.subject) ?? message.subject;
      try {
        result = decodeEnvelope(message.string(), registrySubject);
      } catch (error) {
        result = { error };
      }
      this.decodedOf.set(message, result);
    }
    return result;
  }

  /**
   * One lane's batch: invalid and unhandled messages are settled each on its own, the rest run together, in
   * ordering-key order (a stable sort: one referral's events keep their order). A handler locks its own
   * referral's rows, so every batch transaction takes those locks in the same key order and two batches that
   * share referrals (another replica's, whose lanes do not partition the keys like this process's) never wait
   * on each other in a cycle. hospital-intake's whole-stream consumer deadlocked 12 and 15 times in two runs
   * of 2,000 referrals with 2 replicas × 4 lanes before, 0 after (test/faults/replicas.faults-spec.ts).
   */
  private async processBatch(consumer: ConsumerDefinition, batch: JsMsg[], yielding: boolean): Promise<void> {
    const started = process.hrtime.bigint();
    const deliveries: Delivery[] = [];
    for (const message of inKeyOrder(batch, (m) => this.orderingKeyOf(m))) {
      const delivery = await this.prepare(consumer, message, started);
      if (delivery) deliveries.push(delivery);
    }
    await this.handleBatch(consumer, deliveries, yielding);
  }

  /**
   * Decodes a message and checks its origin; an invalid or forged one is dead-lettered and one nobody handles
   * is acked (then undefined).
   */
  private async prepare(
    consumer: ConsumerDefinition,
    message: JsMsg,
    started: bigint,
  ): Promise<Delivery | undefined> {
    const result = this.decode(message);
    const decoded = 'error' in result ? undefined : result;
    const refusal = decoded ? this.originRefusal(consumer, message, decoded) : (result as { error: unknown });
    if (refusal || !decoded) {
      let outcome = 'unsettled';
      try {
        outcome = await this.settler.settleFailure(consumer, message, decoded?.envelope, refusal?.error);
      } finally {
        this.observe(consumer, message, decoded, outcome, started);
      }
      return undefined;
    }
    const handler = this.getHandlerByPattern(decoded.definition.subject);
    if (!handler) {
      this.ack(message, decoded.envelope);
      this.observe(consumer, message, decoded, 'ignored', started);
      return undefined;
    }
    const { envelope } = decoded;
    const trace = continueTrace(message.headers?.get(HEADERS.traceparent) || undefined, undefined, {
      correlationId: envelope.correlationid,
      causationId: envelope.id,
      consumer: this.nats.topology.durable(consumer),
    });
    return { message, decoded, handler, trace, started };
  }

  /** Only the producer the contracts name may publish an event, and only on its stream's subjects. */
  private originRefusal(
    consumer: ConsumerDefinition,
    message: JsMsg,
    { envelope, definition }: DecodedEvent,
  ): { error: unknown } | undefined {
    try {
      verifyOrigin(envelope, definition, {
        stream: consumer.stream,
        registrySubject: this.nats.topology.registrySubject(message.subject),
      });
      return undefined;
    } catch (error) {
      return { error };
    }
  }

  /**
   * Handles the deliveries in one transaction and acks them after commit. On failure the batch is rolled back
   * and split: the deliveries before the failing one and those after it as batches of their own, the failing
   * one alone (settled as a single message). A failure at commit (no culprit) splits into single messages.
   *
   * `yielding` (routine consumers): when an urgent delivery arrives in this process while the batch runs, the
   * batch stops after the message in hand, gives back the inbox claims of those it did not reach, commits and
   * acks what it handled, waits for the urgent work (at most URGENT_YIELD_MAX_MS) and then handles the rest.
   */
  private async handleBatch(
    consumer: ConsumerDefinition,
    deliveries: Delivery[],
    yielding = false,
  ): Promise<void> {
    if (deliveries.length === 0) return;
    if (deliveries.length === 1) return this.handleOne(consumer, deliveries[0]);
    const durable = this.nats.topology.durable(consumer);
    let failedAt = -1;
    let handled = deliveries.length;
    let fresh: boolean[];
    try {
      fresh = await this.tx.run(async () => {
        const claimed = await this.inbox.claimAll(
          durable,
          deliveries.map(({ decoded: { envelope } }) => ({ eventId: envelope.id, eventType: envelope.type })),
        );
        const seen = new Set<string>();
        const firstSeen = deliveries.map(({ decoded: { envelope } }) => {
          const isFresh = claimed.has(envelope.id) && !seen.has(envelope.id);
          seen.add(envelope.id);
          return isFresh;
        });
        for (let i = 0; i < deliveries.length; i++) {
          if (yielding && i > 0 && this.urgent.busy) {
            handled = i;
            break;
          }
          if (!firstSeen[i]) continue;
          failedAt = i;
          await this.invoke(consumer, deliveries[i]);
        }
        failedAt = -1;
        if (handled < deliveries.length) {
          // Claimed above but not reached: their rows go, so they are handled (not taken as duplicates) later.
          await this.inbox.releaseClaims(
            durable,
            deliveries
              .slice(handled)
              .flatMap((d, j) => (firstSeen[handled + j] ? [d.decoded.envelope.id] : [])),
          );
        }
        crashpoint('consumer-before-commit');
        return firstSeen;
      }, EVENT_HANDLER_ACTOR);
    } catch (error) {
      this.logger.debug(
        `${consumer.durable}: batch of ${deliveries.length} rolled back (${(error as Error)?.message}); retrying it split`,
      );
      if (failedAt < 0) {
        for (const delivery of deliveries) await this.handleOne(consumer, delivery);
        return;
      }
      await this.handleBatch(consumer, deliveries.slice(0, failedAt));
      await this.handleOne(consumer, deliveries[failedAt]);
      await this.handleBatch(consumer, deliveries.slice(failedAt + 1));
      return;
    }
    crashpoint('consumer-after-commit');
    deliveries.slice(0, handled).forEach((delivery, i) => {
      this.ack(delivery.message, delivery.decoded.envelope);
      this.observe(
        consumer,
        delivery.message,
        delivery.decoded,
        fresh[i] ? 'ack' : 'duplicate',
        delivery.started,
      );
    });
    if (handled < deliveries.length) {
      this.metrics.urgentYields.inc({ consumer: consumer.durable });
      await this.handleBatch(consumer, deliveries.slice(handled), await this.urgent.quiet());
    }
  }

  /** One message in its own transaction; a failure is settled (nak, or dead letter) for it alone. */
  private async handleOne(consumer: ConsumerDefinition, delivery: Delivery): Promise<void> {
    const { message, decoded } = delivery;
    const { envelope } = decoded;
    const durable = this.nats.topology.durable(consumer);
    let outcome = 'unsettled';
    try {
      const fresh = await this.tx.run(async () => {
        if (!(await this.inbox.claim(durable, envelope.id, envelope.type))) return false;
        await this.invoke(consumer, delivery);
        crashpoint('consumer-before-commit');
        return true;
      }, EVENT_HANDLER_ACTOR);
      crashpoint('consumer-after-commit');
      this.ack(message, envelope);
      outcome = fresh ? 'ack' : 'duplicate';
    } catch (error) {
      outcome = await runWithTrace({ ...delivery.trace }, () =>
        this.settler.settleFailure(consumer, message, envelope, error),
      );
    } finally {
      this.observe(consumer, message, decoded, outcome, delivery.started);
    }
  }

  /**
   * Runs the message's handler in its own trace and flow (the events it publishes carry them). Each attempt gets
   * a fresh copy of the context, so the ids derived for its events (EventPublisher) start from the same count.
   */
  private invoke(
    consumer: ConsumerDefinition,
    { message, decoded, handler, trace }: Delivery,
  ): Promise<void> {
    return runWithTrace({ ...trace }, async () => {
      const context = new JetStreamContext([message, decoded.envelope, consumer]);
      const result: unknown = await handler(decoded.envelope, context);
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    });
  }

  /**
   * Acks after commit without waiting for the server's confirmation: if this ack is lost the message comes back
   * after ack_wait and the inbox row turns it into a no-op.
   */
  private ack(message: JsMsg, envelope: EventEnvelope): void {
    try {
      message.ack();
    } catch (error) {
      this.logger.warn(`ack of ${envelope.id} not sent: ${(error as Error).message}`);
    }
  }

  private observe(
    consumer: ConsumerDefinition,
    message: JsMsg,
    decoded: DecodedEvent | undefined,
    outcome: string,
    started: bigint,
  ): void {
    const labels = { event_type: decoded?.definition.type ?? 'invalid', consumer: consumer.durable, outcome };
    this.metrics.consumed.inc(labels);
    this.metrics.processing.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    if (message.info.deliveryCount > 1) this.metrics.redeliveries.inc({ consumer: consumer.durable });
  }
}
