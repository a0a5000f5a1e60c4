import { DomainException } from '@app/core';
import { decodeCursor, encodeCursor } from './cursor';

describe('site list cursor', () => {
  it('should round-trip a position', () => {
    const position = {
      assignedAt: '2026-11-23T10:00:00.123Z',
      referralId: '0b6f1d6e-8c1a-4f7e-9d5e-2f1c3a4b5c6d',
    };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    '',
    'bm90IGpzb24',
    Buffer.from('["x","y"]').toString('base64url'),
    Buffer.from('[1,2]').toString('base64url'),
  ])('should refuse a cursor it did not issue (%s)', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(DomainException);
  });
});
