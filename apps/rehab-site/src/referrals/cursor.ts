import { DomainException } from '@app/core';
import { PagePosition } from './referral.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque keyset cursor: base64url of [assignedAt, referralId]. */
export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.assignedAt, position.referralId]), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): PagePosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      !Number.isNaN(Date.parse(value[0])) &&
      typeof value[1] === 'string' &&
      UUID.test(value[1])
    ) {
      return { assignedAt: value[0], referralId: value[1] };
    }
  } catch {
    // fall through
  }
  throw new DomainException('INVALID_CURSOR', 'invalid', 'The cursor is not one this API issued', {
    errors: [{ pointer: '#/cursor', detail: 'not a valid cursor' }],
  });
}
