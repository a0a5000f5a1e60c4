import { DomainException } from '@app/core';

export const MessagingErrorCode = {
  INVALID_EVENT: 'INVALID_EVENT',
  UNKNOWN_EVENT_TYPE: 'UNKNOWN_EVENT_TYPE',
  NOT_IN_TRANSACTION: 'NOT_IN_TRANSACTION',
  NOT_THE_PRODUCER: 'NOT_THE_PRODUCER',
  /** A consumed event from a source other than its producer, or on a subject outside its stream. */
  EVENT_ORIGIN_REFUSED: 'EVENT_ORIGIN_REFUSED',
  NATS_UNAVAILABLE: 'NATS_UNAVAILABLE',
  MAX_DELIVERIES_EXCEEDED: 'MAX_DELIVERIES_EXCEEDED',
  UNEXPECTED_ERROR: 'UNEXPECTED_ERROR',
  DEAD_LETTER_NOT_FOUND: 'DEAD_LETTER_NOT_FOUND',
  DEAD_LETTER_NOT_REPLAYABLE: 'DEAD_LETTER_NOT_REPLAYABLE',
} as const;

export class InvalidEventException extends DomainException {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(MessagingErrorCode.INVALID_EVENT, 'invalid', message, details);
  }
}
