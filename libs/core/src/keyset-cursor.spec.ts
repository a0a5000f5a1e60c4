import { DomainException } from './domain.exception';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';
import { statusOf } from './problem-details';

const id = '3f2c1d7e-8a9b-4c0d-9e1f-2a3b4c5d6e7f';
const raw = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('keyset cursor', () => {
  it('should round-trip a millisecond position (a site list: assigned_at, referral_id)', () => {
    const position = { at: '2026-11-23T10:00:00.123Z', id: '0b6f1d6e-8c1a-4f7e-9d5e-2f1c3a4b5c6d' };
    const cursor = encodeKeysetCursor(new Date(position.at), position.id);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeKeysetCursor(cursor)).toEqual(position);
  });

  it('should round-trip the microsecond key and the id (the audit log)', () => {
    const key = '2026-11-23T20:41:55.123456Z';
    expect(decodeKeysetCursor(encodeKeysetCursor(key, id))).toEqual({ at: key, id });
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'not-a-cursor!'],
    ['not JSON', 'bm90IGpzb24'],
    ['bogus', 'bogus'],
    ['an object', raw({ a: 1 })],
    ['numbers', raw([1, 2])],
    ['neither a date nor an id', raw(['x', 'y'])],
    ['three elements', raw(['2026-11-23T00:00:00Z', id, 'x'])],
    ['a word for a date', raw(['yesterday', id])],
    ['SQL for an id', raw(['2026-11-23T00:00:00Z', 'x; DROP TABLE'])],
    ['an upper-case id', raw(['2026-11-23T00:00:00Z', id.toUpperCase()])],
    ['30 February', raw(['2026-02-30T00:00:00Z', id])],
    ['31 April', raw(['2026-04-31T10:00:00.000Z', id])],
    ['29 February of a common year', raw(['2025-02-29T00:00:00Z', id])],
    ['month 13', raw(['2026-13-01T00:00:00Z', id])],
    ['hour 24', raw(['2026-11-23T24:00:00Z', id])],
    ['a leap second', raw(['2026-12-31T23:59:60Z', id])],
    ['year 0', raw(['0000-01-01T00:00:00Z', id])],
    ['a bare number Date.parse reads as a year', raw(['2', id])],
    ['a date without a time', raw(['2026-11-23', id])],
    ['an offset instead of Z', raw(['2026-11-23T10:00:00+08:00', id])],
    ['an expanded year', raw(['+275760-09-13T00:00:00Z', id])],
    ['nanoseconds', raw(['2026-11-23T10:00:00.123456789Z', id])],
    ['a NUL byte in the date', raw(['2026-11-23T10:00:00Z\u0000', id])],
    ['a NUL byte in the id', raw(['2026-11-23T10:00:00Z', `${id}\u0000`])],
    ['invalid UTF-8', Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]).toString('base64url')],
    ['a non-canonical spelling', `${encodeKeysetCursor('2026-11-23T10:00:00.000Z', id)}A`],
    ['an overlong cursor', 'A'.repeat(400)],
  ])('should refuse %s with INVALID_CURSOR (400), never reach SQL', (_name, cursor) => {
    let thrown: unknown;
    try {
      decodeKeysetCursor(cursor);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(DomainException);
    expect(thrown).toMatchObject({
      code: 'INVALID_CURSOR',
      kind: 'invalid',
      details: { errors: [{ pointer: '#/cursor', detail: 'not a valid cursor' }] },
    });
    expect(statusOf((thrown as DomainException).kind)).toBe(400);
  });

  it('should accept the real leap day', () => {
    expect(decodeKeysetCursor(raw(['2028-02-29T23:59:59.999999Z', id]))).toEqual({
      at: '2028-02-29T23:59:59.999999Z',
      id,
    });
  });
});
