import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';

describe('audit cursor', () => {
  const id = '3f2c1d7e-8a9b-4c0d-9e1f-2a3b4c5d6e7f';

  it('should round-trip the microsecond key and the id', () => {
    const key = '2026-11-23T20:41:55.123456Z';
    expect(decodeAuditCursor(encodeAuditCursor(key, id))).toEqual({ recorded: key, id });
  });

  it.each([
    'not-a-cursor',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from(JSON.stringify(['yesterday', id])).toString('base64url'),
    Buffer.from(JSON.stringify(['2026-11-23T00:00:00Z', 'x; DROP TABLE'])).toString('base64url'),
  ])('should refuse a cursor it did not issue (%s) with INVALID_CURSOR', (cursor) => {
    expect(() => decodeAuditCursor(cursor)).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR', kind: 'invalid' }),
    );
  });
});
