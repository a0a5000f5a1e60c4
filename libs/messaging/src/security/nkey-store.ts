import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createUser, fromSeed } from '@nats-io/nkeys';
import { nkeyVariableOf, ROUTE_PASSWORD_VARIABLE, ROUTE_USER, routeVariableOf } from './nats-server-config';

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

/**
 * The cluster's route credentials in `<dir>/route.env` (0600; the NATS servers' environment): a random
 * `RB_ROUTE_PASSWORD` (kept once made) and `RB_ROUTE_<HOST>=nats-route://route:<password>@<host>:<port>` for
 * each node, which the nodes' `routes` lists name.
 */
export function ensureRouteCredentials(
  dir: string,
  hosts: readonly string[] = ['nats-1', 'nats-2', 'nats-3'],
  port = 6222,
): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'route.env');
  const existing = existsSync(file)
    ? /^RB_ROUTE_PASSWORD=([0-9a-f]{64})$/m.exec(readFileSync(file, 'utf8'))?.[1]
    : undefined;
  const password = existing ?? randomBytes(32).toString('hex');
  const lines = [
    `${ROUTE_PASSWORD_VARIABLE}=${password}`,
    ...hosts.map((h) => `${routeVariableOf(h)}=nats-route://${ROUTE_USER}:${password}@${h}:${port}`),
  ];
  writeFileSync(file, lines.join('\n') + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
