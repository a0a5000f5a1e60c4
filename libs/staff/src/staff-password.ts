import { randomBytes, scrypt as scryptCallback, ScryptOptions, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters of new hashes (N = 2^15, r = 8, p = 1): about 32 MiB and ~50–100 ms per hash. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Minimum length of a staff password. */
export const MIN_PASSWORD_LENGTH = 12;
/** Upper bounds on a stored hash's parameters (a tampered row must not make a verify eat the memory). */
const MAX_LOG2_N = 20;
const MAX_R = 16;
const MAX_P = 4;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  // 128·N·r bytes are needed; Node's default maxmem (32 MiB) is just too small for N = 2^15, r = 8.
  const maxmem = 128 * (options.N ?? 0) * (options.r ?? 0) * 2;
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, keylen, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** A new hash of a password: `scrypt$N$r$p$<salt base64url>$<hash base64url>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = SCRYPT_PARAMS;
  const hash = await scrypt(password, salt, HASH_BYTES, { N, r, p });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

interface ParsedHash {
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parse(encoded: string): ParsedHash | undefined {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const hash = Buffer.from(parts[5], 'base64url');
  const powerOfTwo = Number.isInteger(N) && N > 1 && (N & (N - 1)) === 0 && N <= 2 ** MAX_LOG2_N;
  if (
    !powerOfTwo ||
    !Number.isInteger(r) ||
    r < 1 ||
    r > MAX_R ||
    !Number.isInteger(p) ||
    p < 1 ||
    p > MAX_P
  ) {
    return undefined;
  }
  if (salt.length < SALT_BYTES || hash.length < 16) return undefined;
  return { N, r, p, salt, hash };
}

/** Whether the password matches the stored hash (constant-time compare); false for a malformed hash. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded);
  if (!parsed) return false;
  const { N, r, p, salt, hash } = parsed;
  const derived = await scrypt(password, salt, hash.length, { N, r, p });
  return timingSafeEqual(derived, hash);
}

/** A fixed hash to verify against when the username is unknown, so the answer takes as long as for a known one. */
let dummyHash: Promise<string> | undefined;

/** Spends the time of one verify (an unknown username, a locked or disabled account) and answers false. */
export async function verifyNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('referral-bus staff dummy password');
  await verifyPassword(password, await dummyHash);
  return false;
}
