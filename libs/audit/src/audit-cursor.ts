import { DomainException } from '@app/core';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Opaque keyset cursor over (recorded, id); microsecond precision is kept as the ISO string plus the id. */
export function encodeAuditCursor(recorded: Date | string, id: string): string {
  const at = typeof recorded === 'string' ? recorded : recorded.toISOString();
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

export function decodeAuditCursor(cursor: string): { recorded: string; id: string } {
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
      return { recorded: value[0], id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new DomainException('INVALID_CURSOR', 'invalid', 'The cursor is not one this API issued');
}
