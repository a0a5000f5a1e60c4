import { existsSync } from 'node:fs';
import { nkeyAuthenticator } from '@nats-io/nats-core';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { inboxPrefixOf } from './nats-permissions';
import { readSeed } from './nkey-store';

/** How a client authenticates to NATS and verifies it (all optional: the dev/CI default is plain and open). */
export interface NatsClientSecurity {
  /** File holding the user's nkey seed (`SU…`). */
  readonly nkeySeedFile?: string;
  /** CA that signed the server's certificate; setting it turns TLS on. */
  readonly tlsCaFile?: string;
  /** Client certificate and key, for servers that require mutual TLS. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
}

/**
 * Connection options for one NATS user: its nkey (the seed is read now, so a bad file fails at boot), TLS, and
 * the user's own inbox prefix (its permissions grant `_INBOX.<user>.>`, never `_INBOX.>`).
 */
export function natsClientOptions(
  user: string,
  security: NatsClientSecurity = {},
): Pick<ConnectionOptions, 'authenticator' | 'tls' | 'inboxPrefix'> {
  for (const [name, file] of Object.entries(security) as [string, string | undefined][]) {
    if (file !== undefined && !existsSync(file)) throw new Error(`NATS ${name}: ${file} does not exist`);
  }
  if (!!security.tlsCertFile !== !!security.tlsKeyFile) {
    throw new Error('NATS TLS client certificate and key go together (both or neither)');
  }
  const options: Pick<ConnectionOptions, 'authenticator' | 'tls' | 'inboxPrefix'> = {
    inboxPrefix: inboxPrefixOf(user),
  };
  if (security.nkeySeedFile) options.authenticator = nkeyAuthenticator(readSeed(security.nkeySeedFile));
  if (security.tlsCaFile || security.tlsCertFile) {
    options.tls = {
      ...(security.tlsCaFile ? { caFile: security.tlsCaFile } : {}),
      ...(security.tlsCertFile ? { certFile: security.tlsCertFile, keyFile: security.tlsKeyFile } : {}),
    };
  }
  return options;
}
