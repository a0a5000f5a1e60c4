import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { DEFAULT_NATS_URL } from '@app/core';
import { natsClientOptions } from '@app/messaging';

/**
 * How operators' scripts (`check:durability`, `provision`) reach NATS: NATS_URL like the services and, on a
 * secured server, the `admin` user (NATS_NKEY_SEED_FILE = admin's seed, NATS_TLS_CA_FILE, optional
 * NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE).
 */
export function connectAsAdmin(env: NodeJS.ProcessEnv): Promise<NatsConnection> {
  return connect({
    ...natsClientOptions('admin', {
      nkeySeedFile: env.NATS_NKEY_SEED_FILE || undefined,
      tlsCaFile: env.NATS_TLS_CA_FILE || undefined,
      tlsCertFile: env.NATS_TLS_CERT_FILE || undefined,
      tlsKeyFile: env.NATS_TLS_KEY_FILE || undefined,
    }),
    servers: (env.NATS_URL ?? DEFAULT_NATS_URL).split(','),
    timeout: 3000,
  });
}
