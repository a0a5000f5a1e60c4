import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENTS, eventBySubject, OPS_ALERT_CODES } from '@app/contracts';
import { DomainException } from '@app/core';
import { TransactionHost, systemActor } from '@app/persistence';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingErrorCode } from '../messaging.errors';
import { EventPublisher } from '../outbox/event-publisher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { DeadLetterRecord, DeadLetterRepository, NewDeadLetter } from './dead-letter.repository';

export interface ReplayResult {
  id: string;
  /** Nats-Msg-Id of the re-published message (the CloudEvent id stays the original one). */
  replayMessageId: string;
}

/** Parks messages that cannot be processed, tells ops, and re-publishes them on request. */
/** The ops alert code of an event refused for security reasons (forged origin, a seal moved between referrals). */
export const SECURITY_ALERT_CODE = OPS_ALERT_CODES.SECURITY_EVENT_REFUSED;

/** Parking and replaying dead letters is the service acting for itself (ops replay included). */
const DEAD_LETTER_ACTOR = systemActor('dead-letter');

@Injectable()
export class DeadLetterService {
  private readonly logger = new Logger(DeadLetterService.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly deadLetters: DeadLetterRepository,
    private readonly publisher: EventPublisher,
    private readonly outbox: OutboxRepository,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  /**
   * Writes the dead-letter row, the DLQ record and the ops alert in one transaction. A `security` refusal (a
   * forged or moved event) raises a SECURITY_EVENT_REFUSED alert instead of the plain DEAD_LETTER one.
   */
  async park(letter: Omit<NewDeadLetter, 'id'>, { security = false } = {}): Promise<void> {
    const id = randomUUID();
    await this.tx.runDetached(async () => {
      const fresh = await this.deadLetters.record({ ...letter, id });
      if (!fresh) return;
      const now = new Date().toISOString();
      await this.publisher.publishAll([
        {
          definition: EVENTS.deadLetterRecorded,
          data: {
            deadLetterId: id,
            service: this.options.service,
            consumer: letter.consumer,
            stream: letter.stream,
            streamSequence: letter.streamSeq,
            ...(letter.eventId ? { eventId: letter.eventId } : {}),
            ...(letter.eventType ? { eventType: letter.eventType } : {}),
            deliveries: letter.deliveries,
            errorCode: letter.errorCode,
            recordedAt: now,
          },
          options: { orderingKey: `dlq:${id}` },
        },
        {
          definition: EVENTS.opsAlertRaised,
          data: {
            code: security ? SECURITY_ALERT_CODE : OPS_ALERT_CODES.DEAD_LETTER,
            severity: 'critical',
            service: this.options.service,
            summary: security
              ? `security: ${letter.consumer} refused ${letter.eventType ?? 'a message'} (${letter.errorCode}) and dead-lettered it`
              : `${letter.consumer} dead-lettered a message (${letter.errorCode}) after ${letter.deliveries} deliveries`,
            details: { deadLetterId: id, consumer: letter.consumer, errorCode: letter.errorCode },
            raisedAt: now,
          },
          options: { orderingKey: `alert:${id}` },
        },
      ]);
    }, DEAD_LETTER_ACTOR);
    this.logger.error(
      `${security ? 'SECURITY: refused and ' : ''}dead-lettered ${letter.stream}#${letter.streamSeq} on ${letter.consumer}: ${letter.errorCode}`,
    );
  }

  list(pendingOnly = true, limit = 100): Promise<DeadLetterRecord[]> {
    return this.deadLetters.list({ pendingOnly, limit: Math.min(Math.max(limit, 1), 1000) });
  }

  /**
   * Re-publishes the original message through the outbox under a fresh Nats-Msg-Id (so the stream does not
   * drop it as a duplicate). The CloudEvent id is unchanged, so consumers that already processed it skip it.
   */
  async replay(id: string): Promise<ReplayResult> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
      throw new DomainException(
        MessagingErrorCode.DEAD_LETTER_NOT_FOUND,
        'not-found',
        `No dead letter ${id}`,
      );
    }
    return this.tx.run(async () => {
      const letter = await this.deadLetters.lockForReplay(id);
      if (!letter) {
        throw new DomainException(
          MessagingErrorCode.DEAD_LETTER_NOT_FOUND,
          'not-found',
          `No dead letter ${id}`,
        );
      }
      const definition = eventBySubject(letter.subject);
      if (!definition || !letter.eventId) {
        throw new DomainException(
          MessagingErrorCode.DEAD_LETTER_NOT_REPLAYABLE,
          'unprocessable',
          `Dead letter ${id} is not a valid event (${letter.errorCode}); fix the producer, it cannot be replayed`,
        );
      }
      const replayMessageId = randomUUID();
      await this.outbox.enqueue([
        {
          id: replayMessageId,
          subject: letter.subject,
          eventType: definition.type,
          orderingKey: `replay:${letter.eventId}`,
          payload: letter.payload,
          headers: { ...letter.headers, 'X-Replay-Of': letter.id },
        },
      ]);
      await this.deadLetters.markReplayed(id);
      return { id, replayMessageId };
    }, DEAD_LETTER_ACTOR);
  }

  async replayAll(): Promise<ReplayResult[]> {
    const ids = await this.tx.run(() => this.deadLetters.pendingIds(), DEAD_LETTER_ACTOR);
    const results: ReplayResult[] = [];
    for (const id of ids) results.push(await this.replay(id));
    return results;
  }
}
