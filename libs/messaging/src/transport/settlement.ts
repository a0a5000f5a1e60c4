import { assertUnreachable, DomainException, ErrorKind } from '@app/core';
import { DeliveryPolicy } from '@app/contracts';
import { MessagingErrorCode } from '../messaging.errors';

export type Settlement =
  | { readonly action: 'nak'; readonly delayMs: number; readonly code: string }
  | { readonly action: 'dead-letter'; readonly code: string; readonly reason: string };

/** Whether an error kind can go away by itself (then the message is retried). */
export function isTransient(kind: ErrorKind): boolean {
  switch (kind) {
    case 'unavailable':
    case 'rate-limited':
      return true;
    case 'invalid':
    case 'unprocessable':
    case 'not-found':
    case 'conflict':
    case 'unauthenticated':
    case 'forbidden':
      return false;
    default:
      return assertUnreachable(kind);
  }
}

/**
 * Maps a handler failure to what happens to the message. Domain errors say for themselves whether they are
 * transient; anything else (a lost database connection, a bug) is retried with backoff, and on the last
 * allowed delivery every failure is dead-lettered so it cannot block or loop forever.
 */
export function settle(error: unknown, deliveryCount: number, policy: DeliveryPolicy): Settlement {
  const domain = error instanceof DomainException ? error : undefined;
  const code = domain?.code ?? MessagingErrorCode.UNEXPECTED_ERROR;
  const reason = error instanceof Error ? error.message : String(error);
  if (domain && !isTransient(domain.kind)) {
    return { action: 'dead-letter', code, reason };
  }
  if (deliveryCount >= policy.maxDeliver) {
    return {
      action: 'dead-letter',
      code: code === MessagingErrorCode.UNEXPECTED_ERROR ? MessagingErrorCode.MAX_DELIVERIES_EXCEEDED : code,
      reason,
    };
  }
  const backoff = policy.backoffMs;
  const delayMs = backoff.length === 0 ? 0 : backoff[Math.min(deliveryCount - 1, backoff.length - 1)];
  return { action: 'nak', delayMs, code };
}
