/**
 * The security of the NATS server `npm start` runs on this machine: one nkey user per service (plus sites,
 * hospitals and `admin`) with the least-privilege permissions generated from the registry, and TLS with a
 * throw-away CA, all under `.local/nats-auth/` (git-ignored). Plain NATS only with `--insecure-nats`; a server
 * that was already running without authentication is used, but the launcher says loudly that anyone on this
 * machine can read and publish on it.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { SERVICE_NAMES } from '@app/contracts';
import { busUsers, createDevCertificates, ensureUserKeys, renderNatsConfig, Topology } from '@app/messaging';
import { HOSPITALS_FILE, readIdList, SITES_FILE } from './generate-nats-config';

export const INSECURE_NATS_FLAG = '--insecure-nats';

/** The files the server and the apps use. */
export interface LocalNatsSecurity {
  readonly dir: string;
  /** nats-server `-c` file: includes tls.conf and auth.conf. */
  readonly configFile: string;
  readonly caFile: string;
  /** `<dir>/keys/<user>.nk` (mode 0600). */
  readonly keysDir: string;
}

export function localNatsSecurityDir(localDir: string): string {
  return path.join(localDir, 'nats-auth');
}

/** `npm start -- --insecure-nats`: the only way to get a local NATS without nkeys and TLS. */
export function parseStartArgs(argv: readonly string[]): { insecureNats: boolean } {
  const unknown = argv.filter((a) => a !== INSECURE_NATS_FLAG);
  if (unknown.length > 0) {
    throw new Error(`unknown argument ${unknown[0]} (npm start takes only ${INSECURE_NATS_FLAG})`);
  }
  return { insecureNats: argv.includes(INSECURE_NATS_FLAG) };
}

/** True when the certificate file is missing, unreadable or expires within `marginMs`. */
export function certificateNeedsRenewal(file: string, now = Date.now(), marginMs = 24 * 3600_000): boolean {
  try {
    const certificate = new X509Certificate(fs.readFileSync(file));
    return Date.parse(certificate.validTo) - now < marginMs;
  } catch {
    return true;
  }
}

/**
 * Creates what is missing (seeds are kept across runs, certificates renewed a day before they expire) and
 * (re)writes the server config with the users' literal public keys, so the server needs no environment.
 */
export function prepareLocalNatsSecurity(dir: string, root: string, openssl = 'openssl'): LocalNatsSecurity {
  const sites = readIdList(path.join(root, SITES_FILE));
  const hospitals = readIdList(path.join(root, HOSPITALS_FILE));
  const users = busUsers({ topology: new Topology(), sites, hospitals }).map((u) => u.name);
  const keysDir = path.join(dir, 'keys');
  const keys = ensureUserKeys(keysDir, users);
  const tlsDir = path.join(dir, 'tls');
  if (certificateNeedsRenewal(path.join(tlsDir, 'server-cert.pem'))) {
    try {
      createDevCertificates(tlsDir, ['localhost', '127.0.0.1', '::1'], openssl);
    } catch (error) {
      throw new Error(
        `could not make the local NATS TLS certificates with ${openssl} (${(error as Error).message.split('\n')[0]}); ` +
          `install openssl, or run \`npm start -- ${INSECURE_NATS_FLAG}\` for a plain, unauthenticated bus`,
      );
    }
  }
  const files = renderNatsConfig({
    sites,
    hospitals,
    tlsDir,
    publicKeys: Object.fromEntries(keys.map((k) => [k.user, k.publicKey])),
    adminProvisioning: true,
  });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  const configFile = path.join(dir, 'server.conf');
  fs.writeFileSync(
    configFile,
    '# Written by `npm start`: nkey users and TLS for the local NATS (see scripts/local-nats-security.ts).\n' +
      'include ./tls.conf\ninclude ./auth.conf\n',
  );
  return { dir, configFile, caFile: path.join(tlsDir, 'ca.pem'), keysDir };
}

/** The files of an earlier run, when they are complete (a server started then may still be running). */
export function existingLocalNatsSecurity(dir: string): LocalNatsSecurity | undefined {
  const found: LocalNatsSecurity = {
    dir,
    configFile: path.join(dir, 'server.conf'),
    caFile: path.join(dir, 'tls', 'ca.pem'),
    keysDir: path.join(dir, 'keys'),
  };
  const complete = [found.configFile, found.caFile, ...SERVICE_NAMES.map((s) => seedFileOf(found, s))].every(
    (f) => fs.existsSync(f),
  );
  return complete ? found : undefined;
}

export function seedFileOf(security: LocalNatsSecurity, user: string): string {
  return path.join(security.keysDir, `${user}.nk`);
}

/**
 * What an app (or `admin`, for `npm run provision`) needs on the local NATS: its own seed, the CA, and
 * BUS_PROVISIONING=verify (its user may not create streams or durables; the launcher provisions them as admin).
 */
export function natsSecurityEnv(security: LocalNatsSecurity, user: string): Record<string, string> {
  return {
    NATS_NKEY_SEED_FILE: seedFileOf(security, user),
    NATS_TLS_CA_FILE: security.caFile,
    BUS_PROVISIONING: 'verify',
  };
}

/** What a NATS server says about itself in its first line (`INFO {...}`). */
export interface NatsServerInfo {
  readonly auth_required?: boolean;
  readonly tls_required?: boolean;
}

/** Reads the server's INFO line; undefined when nothing NATS-like answers within `timeoutMs`. */
export function natsServerInfo(
  endpoint: { host: string; port: number },
  timeoutMs = 2000,
): Promise<NatsServerInfo | undefined> {
  return new Promise((resolve) => {
    let received = '';
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const done = (info: NatsServerInfo | undefined): void => {
      socket.destroy();
      resolve(info);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\r\n');
      if (end < 0) {
        if (received.length > 64 * 1024) done(undefined);
        return;
      }
      const line = received.slice(0, end);
      try {
        done(line.startsWith('INFO ') ? (JSON.parse(line.slice(5)) as NatsServerInfo) : undefined);
      } catch {
        done(undefined);
      }
    });
  });
}

/** The warning printed (at start and again under the ready banner) when the bus accepts anyone. */
export function unauthenticatedBusWarning(where: string, why: string): string {
  const rule = '!'.repeat(100);
  return [
    '',
    rule,
    `!!! WARNING: THE BUS IS UNAUTHENTICATED: NATS at ${where} accepts connections without credentials.`,
    `!!! ${why}`,
    '!!! Any local process can read every referral event (patients, risk, sites) and publish forged ones.',
    '!!! Consumers check the source each event declares, but on an open bus anyone can declare any source.',
    `!!! For a secured local bus stop that server and run \`npm start\` (it generates nkeys and TLS in .local/).`,
    rule,
    '',
  ].join('\n');
}
