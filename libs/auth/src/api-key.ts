import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Organisation API keys: `rbk_<8 readable prefix chars>_<43 chars of base64url = 32 random bytes>`. Only the
 * sha256 of the whole key is stored (looked up by it, then compared in constant time); the prefix is kept in
 * clear so people can tell keys apart in listings and logs.
 */
const KEY_PATTERN = /^rbk_([A-Za-z0-9]{8})_[A-Za-z0-9_-]{43}$/;
/** Keys issued before @app/auth (hik_…, demo_…, rsk_…) still authenticate by their hash. */
const ACCEPTED_KEY = /^[\x21-\x7e]{16,256}$/;

export interface IssuedApiKey {
  readonly key: string;
  readonly prefix: string;
  readonly sha256: Buffer;
}

export function issueApiKey(): IssuedApiKey {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const prefix = [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
  const key = `rbk_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, sha256: sha256(key) };
}

/** The readable prefix of an rbk_ key; `legacy` for keys issued before. */
export function apiKeyPrefix(key: string): string {
  return KEY_PATTERN.exec(key)?.[1] ?? 'legacy';
}

/** Whether a presented value can be a key at all (cheap check before hashing and a database lookup). */
export function isPlausibleApiKey(value: unknown): value is string {
  return typeof value === 'string' && ACCEPTED_KEY.test(value);
}

export function sha256(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Constant-time comparison of a presented key with a stored sha256. */
export function keyMatches(presented: string, storedSha256: Buffer): boolean {
  const digest = sha256(presented);
  return digest.length === storedSha256.length && timingSafeEqual(digest, storedSha256);
}
