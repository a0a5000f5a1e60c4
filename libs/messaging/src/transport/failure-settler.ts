import { Logger } from '@nestjs/common';
import { JsMsg } from '@nats-io/jetstream';
import { ConsumerDefinition, EventEnvelope, HEADERS, STREAMS } from '@app/contracts';
import { SecurityException } from '@app/core';
import { DeadLetterService } from '../dead-letter/dead-letter.service';
import { MessagingMetrics } from '../messaging.metrics';
import { Topology } from '../topology';
import { settle } from './settlement';

/**
 * Settles a message that failed: nak with backoff (transient), or dead letter + term. A SecurityException
 * (forged origin, a seal moved between referrals) is dead-lettered with a security alert and counted in
 * `referral_events_refused_total`. Returns the outcome label.
 */
export class FailureSettler {
  constructor(
    private readonly deadLetters: DeadLetterService,
    private readonly metrics: MessagingMetrics,
    private readonly topology: () => Topology,
    private readonly logger: Logger,
  ) {}

  async settleFailure(
    consumer: ConsumerDefinition,
    message: JsMsg,
    envelope: EventEnvelope | undefined,
    error: unknown,
  ): Promise<string> {
    const deliveries = message.info.deliveryCount;
    const decision = settle(error, deliveries, consumer.delivery);
    const security = error instanceof SecurityException;
    if (decision.action === 'nak') {
      this.logger.warn(
        `${consumer.durable}: ${envelope?.id ?? `#${message.seq}`} failed (${decision.code}: ${(error as Error)?.message}); ` +
          `delivery ${deliveries}/${consumer.delivery.maxDeliver}, retry in ${decision.delayMs} ms`,
      );
      message.nak(decision.delayMs);
      return 'nak';
    }
    try {
      await this.deadLetters.park(
        {
          consumer: consumer.durable,
          stream: STREAMS[consumer.stream].name,
          streamSeq: message.seq,
          subject: this.topology().registrySubject(message.subject) ?? message.subject,
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
        },
        { security },
      );
    } catch (parkError) {
      // Never terminate a message we could not record: let it come back and try again.
      this.logger.error(
        `${consumer.durable}: could not dead-letter #${message.seq}: ${(parkError as Error).message}`,
      );
      message.nak(consumer.delivery.backoffMs[0] ?? 1000);
      return 'nak';
    }
    message.term();
    if (security) {
      this.metrics.refused.inc({
        event_type: envelope?.type ?? 'invalid',
        consumer: consumer.durable,
        code: decision.code,
      });
    }
    return 'dead-letter';
  }
}
