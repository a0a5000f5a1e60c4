import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A client certificate signed by the same CA (for `verify: true` servers). */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

export const DEFAULT_DEV_TLS_HOSTS = ['localhost', '127.0.0.1', 'nats-1', 'nats-2', 'nats-3'];

/**
 * A throw-away CA plus a server certificate (and a client one) made with the `openssl` CLI, for tests and
 * local setups. Not for production: there the certificates come from the organisation's CA.
 */
export function createDevCertificates(
  dir: string,
  hosts: readonly string[] = DEFAULT_DEV_TLS_HOSTS,
  openssl = 'openssl',
): DevCertificates {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileSync(openssl, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(
    file('server.ext'),
    `subjectAltName=${san}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n`,
  );
  writeFileSync(
    file('client.ext'),
    'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n',
  );
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ca-key.pem')]);
  // -addext needs OpenSSL >= 1.1.1 (the CA must say it is one, or Node refuses the chain).
  run([
    'req', '-x509', '-new', '-key', file('ca-key.pem'), '-sha256', '-days', '30', '-subj',
    '/CN=referral-bus dev CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', file('ca.pem'),
  ]); // prettier-ignore
  for (const [name, subject, ext] of [
    ['server', '/CN=nats', 'server.ext'],
    ['client', '/CN=referral-bus client', 'client.ext'],
  ] as const) {
    run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file(`${name}-key.pem`)]);
    run(['req', '-new', '-key', file(`${name}-key.pem`), '-subj', subject, '-out', file(`${name}.csr`)]);
    run([
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'),
      '-CAcreateserial', '-days', '30', '-sha256', '-extfile', file(ext), '-out', file(`${name}-cert.pem`),
    ]); // prettier-ignore
  }
  return {
    dir,
    caFile: file('ca.pem'),
    certFile: file('server-cert.pem'),
    keyFile: file('server-key.pem'),
    clientCertFile: file('client-cert.pem'),
    clientKeyFile: file('client-key.pem'),
  };
}
