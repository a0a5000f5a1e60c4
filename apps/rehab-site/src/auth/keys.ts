import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** A new API key (shown once) — 32 random bytes, base64url, with a readable prefix. */
export function newApiKey(prefix = 'rsk'): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** A deterministic demo key for the seed (never in production). */
export function demoApiKey(siteId: string): string {
  return `demo_${sha256Hex(`referral-bus demo site key: ${siteId}`).slice(0, 40)}`;
}
