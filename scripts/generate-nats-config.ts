/**
 * `npm run nats:config`: writes the NATS server's security config, generated from the registry in
 * `libs/contracts`:
 *
 * - `docker/nats/auth.conf`: one nkey user per service, per site on the bus (`docker/nats/sites.txt`), per
 *   employment provider on the bus (`docker/nats/providers.txt`), per hospital on the bus
 *   (`docker/nats/hospitals.txt`) and `admin`, each with least-privilege publish/subscribe
 *   permissions. Public keys are referenced as `$RB_NKEY_<USER>` and come from the server's environment.
 * - `docker/nats/tls.conf`: TLS on the client port (plain TCP refused).
 * - `docker/nats/cluster.conf`: route authorization (user `route`, `$RB_ROUTE_PASSWORD`) and TLS both ways
 *   between cluster nodes, included inside each node's `cluster {}` block.
 *
 * Options:
 *   --check              write nothing; exit 1 when the files differ from a fresh generation
 *   --keys <dir>         also create a seed per user in <dir>/<user>.nk (0600; existing seeds are kept) and
 *                        <dir>/nkeys.env with the RB_NKEY_* public keys (for the server's environment)
 *                        and <dir>/route.env with the cluster's route password and route URLs (0600)
 *   --dev-tls <dir>      also create a throw-away CA + server/client certificates in <dir> (openssl)
 *   --out <dir>          where auth.conf/tls.conf go (default docker/nats)
 *   --namespace <ns>     BUS_NAMESPACE the permissions are for (default none)
 *   --sites <a,b>        site ids (default: lines of docker/nats/sites.txt)
 *   --providers <a,b>    employment provider ids (default: lines of docker/nats/providers.txt)
 *   --hospitals <a,b>    hospital ids (default: lines of docker/nats/hospitals.txt)
 *   --tls-dir <dir>      where the server finds ca.pem, server-cert.pem, server-key.pem (default /etc/nats/tls)
 *   --tls-verify         require client certificates (mutual TLS)
 *   --admin-provisioning services may not create or change streams/durables: `npm run provision` (admin)
 *                        makes them and the services run with BUS_PROVISIONING=verify
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  busUsers,
  createDevCertificates,
  ensureRouteCredentials,
  ensureUserKeys,
  renderNatsConfig,
  Topology,
} from '@app/messaging';

export const NATS_CONFIG_DIR = 'docker/nats';
export const SITES_FILE = `${NATS_CONFIG_DIR}/sites.txt`;
export const PROVIDERS_FILE = `${NATS_CONFIG_DIR}/providers.txt`;
export const HOSPITALS_FILE = `${NATS_CONFIG_DIR}/hospitals.txt`;
/** Ids listed one per line; `#` starts a comment. */
export function readIdList(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '');
}

function parseArgs(argv: string[]): Map<string, string | true> {
  const args = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (!name.startsWith('--')) throw new Error(`unexpected argument ${name}`);
    const flag = ['--check', '--tls-verify', '--admin-provisioning'].includes(name);
    if (!flag && (argv[i + 1] === undefined || argv[i + 1].startsWith('--')))
      throw new Error(`${name} needs a value`);
    args.set(name.slice(2), flag ? true : argv[++i]);
  }
  return args;
}

export function main(argv: string[] = process.argv.slice(2)): number {
  const args = parseArgs(argv);
  const known = [
    'check',
    'keys',
    'dev-tls',
    'out',
    'namespace',
    'sites',
    'providers',
    'hospitals',
    'tls-dir',
    'tls-verify',
    'admin-provisioning',
  ];
  const unknown = [...args.keys()].filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`unknown option --${unknown[0]}`);
  const value = (name: string) => {
    const v = args.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const list = (name: string, file: string) => value(name)?.split(',').filter(Boolean) ?? readIdList(file);
  const sites = list('sites', SITES_FILE);
  const providers = list('providers', PROVIDERS_FILE);
  const hospitals = list('hospitals', HOSPITALS_FILE);
  const out = value('out') ?? NATS_CONFIG_DIR;
  const files = renderNatsConfig({
    namespace: value('namespace'),
    sites,
    providers,
    hospitals,
    tlsDir: value('tls-dir'),
    tlsVerify: args.has('tls-verify'),
    adminProvisioning: args.has('admin-provisioning'),
  });

  if (args.has('check')) {
    const stale = Object.entries(files).filter(([name, content]) => {
      const file = path.join(out, name);
      return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== content;
    });
    for (const [name] of stale)
      process.stderr.write(`${path.join(out, name)} is stale: run npm run nats:config\n`);
    if (stale.length === 0) process.stdout.write(`${out}: NATS config is up to date\n`);
    return stale.length === 0 ? 0 : 1;
  }

  fs.mkdirSync(out, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(out, name), content);
  process.stdout.write(
    `wrote ${Object.keys(files)
      .map((n) => path.join(out, n))
      .join(', ')}\n`,
  );

  const keysDir = value('keys');
  if (keysDir) {
    const users = busUsers({ topology: new Topology(), sites, providers, hospitals }).map((u) => u.name);
    const keys = ensureUserKeys(keysDir, users);
    process.stdout.write(
      `${keys.length} nkey seeds in ${keysDir} (<user>.nk, mode 0600; give each service NATS_NKEY_SEED_FILE=<its file>); ` +
        `public keys in ${path.join(keysDir, 'nkeys.env')} (the server's environment)\n`,
    );
    process.stdout.write(
      `cluster route password and route URLs in ${ensureRouteCredentials(keysDir)} (the servers' environment)\n`,
    );
  }
  const devTls = value('dev-tls');
  if (devTls) {
    const certs = createDevCertificates(devTls);
    process.stdout.write(
      `dev TLS in ${certs.dir}: mount it at the server's --tls-dir; clients use NATS_TLS_CA_FILE=${certs.caFile}\n`,
    );
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    process.stderr.write(`nats:config: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
