import { retryDelayMs, signBody, verifySignature } from './signature';

describe('webhook signature', () => {
  const body = JSON.stringify({ type: 'site.referral.assigned', data: { referralId: 'r' } });

  it('should verify a body signed with the same secret', () => {
    expect(verifySignature(body, 's3cret', signBody(body, 's3cret'))).toBe(true);
  });

  it('should reject another secret, a changed body or a missing header', () => {
    const signature = signBody(body, 's3cret');
    expect(verifySignature(body, 'other', signature)).toBe(false);
    expect(verifySignature(`${body} `, 's3cret', signature)).toBe(false);
    expect(verifySignature(body, 's3cret', undefined)).toBe(false);
  });

  it('should give the known HMAC-SHA256 of a fixed input', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('should double the retry delay per attempt and cap it at one hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000)).toBe(3_600_000);
  });
});
