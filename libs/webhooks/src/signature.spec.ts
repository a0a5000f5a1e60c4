import { loadWebhookSettings } from './webhook.settings';
import {
  isLegacySecret,
  newWebhookSecret,
  retryDelayMs,
  signBody,
  standardWebhookSecret,
  verifySignature,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookHeaders,
} from './signature';

describe('webhook signature (Standard Webhooks)', () => {
  const body = JSON.stringify({ type: 'site.referral.assigned', data: { referralId: 'r' } });
  const id = 'd3b07384-d9a0-4c9b-8e8a-1f2b3c4d5e6f';

  it('should give the Standard Webhooks reference signature of its published test vector', () => {
    // From the specification's reference libraries: secret, id, timestamp 1614265330 and this payload.
    const headers = webhookHeaders(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      '{"test": 2432232314}',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      new Date(1614265330 * 1000),
    );
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('should mint whsec_ secrets of 32 random bytes, each different', () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(a);
    expect(isLegacySecret(a)).toBe(false);
  });

  it('should verify a fresh delivery and refuse another secret, a changed body or id, or missing headers', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(id, body, secret, new Date());
    expect(verifyWebhook(body, secret, headers)).toBe(true);
    expect(verifyWebhook(body, newWebhookSecret(), headers)).toBe(false);
    expect(verifyWebhook(`${body} `, secret, headers)).toBe(false);
    expect(verifyWebhook(body, secret, { ...headers, 'webhook-id': 'other' })).toBe(false);
    expect(verifyWebhook(body, secret, { ...headers, [WEBHOOK_SIGNATURE_HEADER]: undefined })).toBe(false);
  });

  it('should refuse a replayed delivery older than five minutes and one from the future', () => {
    const secret = newWebhookSecret();
    const old = webhookHeaders(id, body, secret, new Date(Date.now() - 6 * 60_000));
    expect(verifyWebhook(body, secret, old)).toBe(false);
    const future = webhookHeaders(id, body, secret, new Date(Date.now() + 6 * 60_000));
    expect(verifyWebhook(body, secret, future)).toBe(false);
    // Re-signing is impossible without the secret: moving the old timestamp forward breaks the signature.
    expect(
      verifyWebhook(body, secret, {
        ...old,
        [WEBHOOK_TIMESTAMP_HEADER]: String(Math.floor(Date.now() / 1000)),
      }),
    ).toBe(false);
    expect(verifyWebhook(body, secret, webhookHeaders(id, body, secret, new Date(Date.now() - 60_000)))).toBe(
      true,
    );
  });

  it('should keep a legacy secret working: key = its UTF-8 bytes, i.e. whsec_ + base64 of it', () => {
    const legacy = 'q0bq3T9l7xv1f2o8n5Yk6dJmZrWcA4sE0hLpVuGtKiB';
    expect(isLegacySecret(legacy)).toBe(true);
    const asStandard = standardWebhookSecret(legacy);
    expect(asStandard).toBe(`whsec_${Buffer.from(legacy).toString('base64')}`);
    const headers = webhookHeaders(id, body, legacy, new Date());
    expect(verifyWebhook(body, asStandard, headers)).toBe(true);
    expect(verifyWebhook(body, legacy, headers)).toBe(true);
  });

  it('should still give the known legacy HMAC-SHA256 of a fixed input', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(signBody('what do ya want for nothing?', 'Jefe')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(verifySignature(body, 's3cret', signBody(body, 's3cret'))).toBe(true);
    expect(verifySignature(body, 'other', signBody(body, 's3cret'))).toBe(false);
  });

  it('should read the legacy grace period and refuse a malformed one', () => {
    expect(loadWebhookSettings({}).legacySignatureUntil).toBeUndefined();
    expect(
      loadWebhookSettings({ WEBHOOK_LEGACY_SIGNATURE_UNTIL: '2027-01-31T00:00:00Z' }).legacySignatureUntil,
    ).toEqual(new Date('2027-01-31T00:00:00Z'));
    expect(() => loadWebhookSettings({ WEBHOOK_LEGACY_SIGNATURE_UNTIL: 'next month' })).toThrow(
      /WEBHOOK_LEGACY_SIGNATURE_UNTIL/,
    );
  });

  it('should double the retry delay per attempt and cap it at one hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30, 1000)).toBe(3_600_000);
  });
});
