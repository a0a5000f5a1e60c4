import { createHash } from 'node:crypto';

export interface Keyring {
  /** Key id used for new seals. */
  readonly activeKeyId: string;
  /** Every key that may still open old seals, by id. */
  readonly keys: ReadonlyMap<string, Buffer>;
  /** Key of the keyed hash (blind index) for lookups such as the ID number. */
  readonly indexKey: Buffer;
}

export class KeyringError extends Error {}

/** A deterministic development key, derived from a label: never for production (refused there). */
function devKey(label: string): Buffer {
  return createHash('sha256').update(`referral-bus development key: ${label}`).digest();
}

function decodeKey(id: string, encoded: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32)
    throw new KeyringError(`PII key ${id} must be 32 bytes, base64-encoded (got ${key.length})`);
  return key;
}

/**
 * Reads the keys from the environment:
 * - `PII_KEYS` = `kid1:<base64 32 bytes>,kid2:<…>` (old keys stay listed so old seals still open),
 * - `PII_ACTIVE_KEY` = the id used for new seals (default: the first listed),
 * - `PII_INDEX_KEY` = `<base64 32 bytes>` for the blind index.
 * Outside production, missing keys fall back to fixed development keys; in production they are required.
 */
export function keyringFromEnv(env: NodeJS.ProcessEnv = process.env): Keyring {
  const production = env.NODE_ENV === 'production';
  const listed = (env.PII_KEYS ?? '').trim();
  if (!listed && production) throw new KeyringError('PII_KEYS is required in production');
  if (!env.PII_INDEX_KEY && production) throw new KeyringError('PII_INDEX_KEY is required in production');
  const keys = new Map<string, Buffer>();
  if (listed) {
    for (const entry of listed.split(',')) {
      const [id, encoded] = entry.split(':');
      if (!id || !encoded || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
        throw new KeyringError('PII_KEYS must look like kid1:<base64>,kid2:<base64>');
      }
      keys.set(id, decodeKey(id, encoded));
    }
  } else {
    keys.set('dev1', devKey('pii dev1'));
  }
  const activeKeyId = env.PII_ACTIVE_KEY ?? [...keys.keys()][0];
  if (!keys.has(activeKeyId)) throw new KeyringError(`PII_ACTIVE_KEY ${activeKeyId} is not in PII_KEYS`);
  const indexKey = env.PII_INDEX_KEY ? decodeKey('PII_INDEX_KEY', env.PII_INDEX_KEY) : devKey('blind index');
  return { activeKeyId, keys, indexKey };
}
