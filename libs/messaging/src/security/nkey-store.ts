import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { nkeyVariableOf } from './nats-server-config';

export interface UserKey {
  readonly user: string;
  readonly publicKey: string;
  /** Path of the seed file (mode 0600): what the client's NATS_NKEY_SEED_FILE points at. */
  readonly seedFile: string;
}

/**
 * Keeps one nkey seed per user in `dir` (`<user>.nk`, mode 0600), creating the missing ones, and writes
 * `nkeys.env` (`RB_NKEY_<USER>=<public key>` lines, for the server's environment / compose `env_file`).
 * Existing seeds are kept, so re-running never rotates a key by accident.
 */
export function ensureUserKeys(dir: string, users: readonly string[]): UserKey[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = users.map((user) => {
    const seedFile = join(dir, `${user}.nk`);
    if (!existsSync(seedFile)) {
      writeFileSync(seedFile, new TextDecoder().decode(createUser().getSeed()) + '\n', { mode: 0o600 });
    }
    chmodSync(seedFile, 0o600);
    return { user, publicKey: publicKeyOfSeedFile(seedFile), seedFile };
  });
  writeFileSync(
    join(dir, 'nkeys.env'),
    keys.map((k) => `${nkeyVariableOf(k.user)}=${k.publicKey}`).join('\n') + '\n',
    { mode: 0o644 },
  );
  return keys;
}

export function readSeed(seedFile: string): Uint8Array {
  const seed = readFileSync(seedFile, 'utf8').trim();
  if (!/^SU[A-Z2-7]{56}$/.test(seed))
    throw new Error(`${seedFile} does not hold a NATS user nkey seed (SU…)`);
  return new TextEncoder().encode(seed);
}

export function publicKeyOfSeedFile(seedFile: string): string {
  return fromSeed(readSeed(seedFile)).getPublicKey();
}
