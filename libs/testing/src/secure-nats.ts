import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  busUsers,
  createDevCertificates,
  DevCertificates,
  ensureUserKeys,
  natsClientOptions,
  NatsClientSecurity,
  nkeyVariableOf,
  renderNatsConfig,
  Topology,
  UserKey,
} from '@app/messaging';
import { LocalNatsServer } from './nats-server';

export interface SecureNatsOptions {
  /** BUS_NAMESPACE the permissions are generated for. */
  readonly namespace: string;
  readonly sites?: readonly string[];
  readonly providers?: readonly string[];
  readonly hospitals?: readonly string[];
  /** Require client certificates (mutual TLS). */
  readonly tlsVerify?: boolean;
}

/**
 * A private nats-server running the generated security config (`renderNatsConfig`, the code behind
 * `npm run nats:config`): TLS with a throw-away CA made by openssl, one nkey user per service/site/hospital plus
 * admin. The config references the public keys as `$RB_NKEY_*`, exactly like the committed docker config,
 * and they reach the server through its environment.
 */
export class SecureNats {
  private constructor(
    readonly server: LocalNatsServer,
    readonly dir: string,
    readonly certs: DevCertificates,
    readonly keys: ReadonlyMap<string, UserKey>,
  ) {}

  static async start(options: SecureNatsOptions): Promise<SecureNats> {
    const dir = mkdtempSync(join(tmpdir(), 'secure-nats-'));
    const certs = createDevCertificates(join(dir, 'tls'), ['localhost', '127.0.0.1'], '/usr/bin/openssl');
    const users = busUsers({
      topology: new Topology(options.namespace),
      sites: options.sites,
      providers: options.providers,
      hospitals: options.hospitals,
    }).map((u) => u.name);
    const keys = ensureUserKeys(join(dir, 'keys'), users);
    const files = renderNatsConfig({ ...options, tlsDir: certs.dir });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const configFile = join(dir, 'server.conf');
    writeFileSync(configFile, 'include ./tls.conf\ninclude ./auth.conf\n');
    const env = Object.fromEntries(keys.map((k) => [nkeyVariableOf(k.user), k.publicKey]));
    const server = await LocalNatsServer.start({ configFile, env });
    return new SecureNats(server, dir, certs, new Map(keys.map((k) => [k.user, k])));
  }

  get url(): string {
    return this.server.url;
  }

  seedFileOf(user: string): string {
    const key = this.keys.get(user);
    if (!key) throw new Error(`no nkey for ${user}`);
    return key.seedFile;
  }

  /** The client security of `user` (its seed, the CA; and the client certificate when asked). */
  securityOf(user: string, clientCertificate = false): NatsClientSecurity {
    return {
      nkeySeedFile: this.seedFileOf(user),
      tlsCaFile: this.certs.caFile,
      ...(clientCertificate
        ? { tlsCertFile: this.certs.clientCertFile, tlsKeyFile: this.certs.clientKeyFile }
        : {}),
    };
  }

  /** Connects as `user` over TLS with its nkey and own inbox prefix. */
  connectAs(user: string, extra: Partial<ConnectionOptions> = {}): Promise<NatsConnection> {
    return connect({
      servers: this.url,
      name: `test-${user}`,
      reconnect: false,
      timeout: 5000,
      ...natsClientOptions(user, this.securityOf(user)),
      ...extra,
    });
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
