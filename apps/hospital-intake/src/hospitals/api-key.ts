import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Keys look like `hik_<8 prefix chars>_<secret>`; only the prefix and the sha256 of the whole key are stored. */
const KEY_PATTERN = /^hik_([A-Za-z0-9]{8})_[A-Za-z0-9_-]{32,64}$/;

export interface IssuedKey {
  readonly key: string;
  readonly prefix: string;
  readonly sha256: Buffer;
}

export function issueApiKey(): IssuedKey {
  const prefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
  const key = `hik_${prefix}_${randomBytes(24).toString('base64url')}`;
  return { key, prefix, sha256: sha256(key) };
}

export function apiKeyPrefix(key: string): string | undefined {
  return KEY_PATTERN.exec(key)?.[1];
}

export function sha256(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** Constant-time comparison of the presented key with the stored hash. */
export function keyMatches(presented: string, storedSha256: Buffer): boolean {
  const digest = sha256(presented);
  return digest.length === storedSha256.length && timingSafeEqual(digest, storedSha256);
}
