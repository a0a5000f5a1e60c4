import { DomainException } from './domain.exception';

/**
 * The position a keyset page continues after: a timestamp and a row id, ordered by (at, id). Both go straight
 * into SQL as `$n::timestamptz` and `$n::uuid`, so a cursor is parsed strictly: anything Postgres could refuse
 * is refused here first, as a 400, never a 500.
 */
export interface KeysetPosition {
  /** RFC 3339 UTC timestamp, up to microseconds (`2026-11-23T20:41:55.123456Z`). */
  readonly at: string;
  /** Lower-case UUID. */
  readonly id: string;
}

/** Longest cursor accepted: an encoded position is about 100 characters. */
const MAX_CURSOR_LENGTH = 200;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?Z$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Opaque keyset cursor: base64url of the JSON `[at, id]`. */
export function encodeKeysetCursor(at: Date | string, id: string): string {
  const iso = typeof at === 'string' ? at : at.toISOString();
  return Buffer.from(JSON.stringify([iso, id]), 'utf8').toString('base64url');
}

/** The position of a cursor this API issued; anything else is a 400 INVALID_CURSOR (problem+json). */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  const position = parse(cursor);
  if (!position) {
    throw new DomainException('INVALID_CURSOR', 'invalid', 'The cursor is not one this API issued', {
      errors: [{ pointer: '#/cursor', detail: 'not a valid cursor' }],
    });
  }
  return position;
}

function parse(cursor: unknown): KeysetPosition | undefined {
  if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) return;
  const bytes = Buffer.from(cursor, 'base64url');
  // Buffer decoding skips what it cannot read: only the canonical spelling of the bytes is one we issued.
  if (bytes.toString('base64url') !== cursor) return;
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(bytes));
  } catch {
    return;
  }
  if (!Array.isArray(value) || value.length !== 2) return;
  const [at, id] = value as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id) || !isTimestamp(at)) return;
  return { at, id };
}

/** A real UTC instant in the strict shape: no 30 February, hour 24 or leap second (Date.parse lets them by). */
function isTimestamp(value: string): boolean {
  const match = TIMESTAMP.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
