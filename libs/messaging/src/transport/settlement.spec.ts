import { DEFAULT_DELIVERY, DeliveryPolicy, URGENT_DELIVERY } from '@app/contracts';
import { DomainException, ERROR_KINDS, ErrorKind } from '@app/core';
import { MessagingErrorCode } from '../messaging.errors';
import { isTransient, settle } from './settlement';

const policy: DeliveryPolicy = {
  ackWaitSeconds: 30,
  maxDeliver: 5,
  backoffMs: [100, 200, 300],
  maxAckPending: 10,
};

const domainError = (kind: ErrorKind, code = `${kind.toUpperCase().replace(/-/g, '_')}_CODE`) =>
  new DomainException(code, kind, `a ${kind} failure`);

const TRANSIENT: ErrorKind[] = ['unavailable', 'rate-limited'];
const PERMANENT: ErrorKind[] = [
  'invalid',
  'unprocessable',
  'not-found',
  'conflict',
  'unauthenticated',
  'forbidden',
];

describe(isTransient.name, () => {
  it.each(TRANSIENT)('should be true when the kind is %s', (kind) => {
    expect(isTransient(kind)).toBe(true);
  });

  it.each(PERMANENT)('should be false when the kind is %s', (kind) => {
    expect(isTransient(kind)).toBe(false);
  });

  it('should classify every known error kind', () => {
    expect([...TRANSIENT, ...PERMANENT].sort()).toEqual([...ERROR_KINDS].sort());
  });

  it('should agree with DomainException.retryable when given any kind', () => {
    for (const kind of ERROR_KINDS) {
      expect(isTransient(kind)).toBe(domainError(kind).retryable);
    }
  });

  it('should throw when the kind is not a known error kind', () => {
    expect(() => isTransient('exploded' as ErrorKind)).toThrow('Unhandled case: exploded');
  });
});

describe(settle.name, () => {
  describe('transient domain errors', () => {
    it.each(TRANSIENT)('should nak with its own code when the kind is %s', (kind) => {
      const error = domainError(kind, 'NATS_UNAVAILABLE');

      expect(settle(error, 1, policy)).toEqual({ action: 'nak', delayMs: 100, code: 'NATS_UNAVAILABLE' });
    });

    it.each([
      [1, 100],
      [2, 200],
      [3, 300],
    ])('should use the backoff entry of the delivery when on delivery %i', (deliveryCount, delayMs) => {
      expect(settle(domainError('unavailable'), deliveryCount, policy)).toEqual({
        action: 'nak',
        delayMs,
        code: 'UNAVAILABLE_CODE',
      });
    });

    it('should use the last backoff entry when the delivery is beyond the backoff array', () => {
      expect(settle(domainError('rate-limited'), 4, policy)).toEqual({
        action: 'nak',
        delayMs: 300,
        code: 'RATE_LIMITED_CODE',
      });
    });

    it('should nak without delay when the policy has no backoff', () => {
      const noBackoff: DeliveryPolicy = { ...policy, backoffMs: [] };

      expect(settle(domainError('unavailable'), 2, noBackoff)).toEqual({
        action: 'nak',
        delayMs: 0,
        code: 'UNAVAILABLE_CODE',
      });
    });

    it('should dead-letter with its own code when on the last allowed delivery', () => {
      const error = domainError('unavailable', 'NATS_UNAVAILABLE');

      expect(settle(error, policy.maxDeliver, policy)).toEqual({
        action: 'dead-letter',
        code: 'NATS_UNAVAILABLE',
        reason: 'a unavailable failure',
      });
    });

    it('should dead-letter with its own code when the delivery count exceeds maxDeliver', () => {
      expect(settle(domainError('rate-limited'), policy.maxDeliver + 3, policy)).toMatchObject({
        action: 'dead-letter',
        code: 'RATE_LIMITED_CODE',
      });
    });
  });

  describe('registry policies', () => {
    it('should back off 5 minutes when the default policy fails its second-to-last delivery', () => {
      expect(settle(new Error('down'), DEFAULT_DELIVERY.maxDeliver - 1, DEFAULT_DELIVERY)).toEqual({
        action: 'nak',
        delayMs: 300_000,
        code: MessagingErrorCode.UNEXPECTED_ERROR,
      });
    });

    it('should back off half a second when the urgent policy fails its first delivery', () => {
      expect(settle(new Error('down'), 1, URGENT_DELIVERY)).toMatchObject({ action: 'nak', delayMs: 500 });
    });

    it('should dead-letter when the urgent policy reaches maxDeliver', () => {
      expect(settle(new Error('down'), URGENT_DELIVERY.maxDeliver, URGENT_DELIVERY)).toMatchObject({
        action: 'dead-letter',
        code: MessagingErrorCode.MAX_DELIVERIES_EXCEEDED,
      });
    });
  });

  describe('permanent domain errors', () => {
    it.each(PERMANENT)('should dead-letter at once with its own code when the kind is %s', (kind) => {
      const error = new DomainException('SOMETHING_WRONG', kind, 'the referral is not acceptable');

      expect(settle(error, 1, policy)).toEqual({
        action: 'dead-letter',
        code: 'SOMETHING_WRONG',
        reason: 'the referral is not acceptable',
      });
    });

    it('should keep its own code when on the last delivery', () => {
      expect(settle(domainError('conflict'), policy.maxDeliver, policy)).toMatchObject({
        action: 'dead-letter',
        code: 'CONFLICT_CODE',
      });
    });
  });

  describe('other errors', () => {
    it('should nak with UNEXPECTED_ERROR when a plain Error fails the first delivery', () => {
      expect(settle(new Error('connection terminated'), 1, policy)).toEqual({
        action: 'nak',
        delayMs: 100,
        code: MessagingErrorCode.UNEXPECTED_ERROR,
      });
    });

    it('should keep retrying with backoff when below maxDeliver', () => {
      expect(settle(new TypeError('x is undefined'), policy.maxDeliver - 1, policy)).toEqual({
        action: 'nak',
        delayMs: 300,
        code: MessagingErrorCode.UNEXPECTED_ERROR,
      });
    });

    it('should dead-letter with MAX_DELIVERIES_EXCEEDED when on the last allowed delivery', () => {
      expect(settle(new Error('connection terminated'), policy.maxDeliver, policy)).toEqual({
        action: 'dead-letter',
        code: MessagingErrorCode.MAX_DELIVERIES_EXCEEDED,
        reason: 'connection terminated',
      });
    });

    it('should dead-letter with MAX_DELIVERIES_EXCEEDED when beyond maxDeliver', () => {
      expect(settle(new Error('still down'), policy.maxDeliver + 1, policy)).toMatchObject({
        action: 'dead-letter',
        code: MessagingErrorCode.MAX_DELIVERIES_EXCEEDED,
      });
    });

    it('should use the stringified value as reason when a non-Error is thrown', () => {
      expect(settle('plain string failure', policy.maxDeliver, policy)).toEqual({
        action: 'dead-letter',
        code: MessagingErrorCode.MAX_DELIVERIES_EXCEEDED,
        reason: 'plain string failure',
      });
    });

    it('should retry when a non-Error is thrown before the last delivery', () => {
      expect(settle({ weird: true }, 2, policy)).toEqual({
        action: 'nak',
        delayMs: 200,
        code: MessagingErrorCode.UNEXPECTED_ERROR,
      });
    });
  });
});
