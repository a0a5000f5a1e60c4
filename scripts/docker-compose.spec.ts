import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadAuthConfig } from '@app/auth';
import { defaultPortOf, SERVICE_CATALOGUE, SERVICE_NAMES } from '@app/contracts';
import { keyringFromEnv } from '@app/crypto';
import {
  busUsers,
  DEFAULT_TLS_DIR,
  nkeyVariableOf,
  ROUTE_PASSWORD_VARIABLE,
  routeVariableOf,
  Topology,
} from '@app/messaging';
import { ComposeFile, ComposeService, loadCompose } from '@app/testing/compose';
import { HOSPITALS_FILE, PROVIDERS_FILE, readIdList, SITES_FILE } from './generate-nats-config';
import { appEnvironment, readsVariable } from './kubernetes/app-env';

/**
 * docker/docker-compose.yml parsed as `docker compose config` resolves it (anchors, merge keys, `${…}`), then
 * checked against the service catalogue, the variables each app reads (found in its source, the same scan as
 * the Kubernetes spec) and the files the NATS services mount. No Docker engine runs here: this and
 * test/faults/compose-topology.faults-spec.ts (the same topology run natively) are what checks the file.
 */
const root = join(__dirname, '..');
const FILE = join(root, 'docker', 'docker-compose.yml');
const raw = readFileSync(FILE, 'utf8');
/** The variables production refuses to start without (see the last test), and the infrastructure's passwords. */
const REQUIRED_SECRETS = [
  'POSTGRES_PASSWORD',
  'OPS_JWT_SECRET',
  'PII_KEYS',
  'PII_INDEX_KEY',
  'GRAFANA_ADMIN_PASSWORD',
];
const SECRETS = Object.fromEntries(REQUIRED_SECRETS.map((name) => [name, `value-of-${name.toLowerCase()}`]));
const compose: ComposeFile = loadCompose(FILE, SECRETS);
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name} in docker-compose.yml`);
  return found;
};
/** The app services: built from the Dockerfile with APP=<app>, not one-shot migrations. */
const appServices = Object.values(compose.services).filter(
  (s) => s.buildArgs.APP !== undefined && !s.name.endsWith('-migrate'),
);
const natsServices = Object.values(compose.services).filter((s) => s.name.startsWith('nats-'));
const local = (path: string) => relative(root, path);

describe('docker/docker-compose.yml', () => {
  it('resolves without unset variables once the required secrets are given', () => {
    expect(compose.unset).toEqual([]);
    expect(compose.name).toBe('referral-bus');
  });

  it('sets no app variable to an empty string (an optional one is passed only when set)', () => {
    // An empty value is a value: PII_ACTIVE_KEY='' once stopped every app that seals patient fields.
    for (const s of Object.values(compose.services)) {
      expect({
        service: s.name,
        empty: Object.keys(s.environment).filter((k) => s.environment[k] === ''),
      }).toEqual({
        service: s.name,
        empty: [],
      });
    }
    const withActive = loadCompose(FILE, { ...SECRETS, PII_ACTIVE_KEY: 'k2' });
    expect(withActive.services['rehab-site'].environment.PII_ACTIVE_KEY).toBe('k2');
    expect(compose.services['rehab-site'].environment).not.toHaveProperty('PII_ACTIVE_KEY');
  });

  it('runs every app of the service catalogue, and only those, each with its <app>-migrate', () => {
    expect(appServices.map((s) => s.name).sort()).toEqual([...SERVICE_NAMES].sort());
    for (const entry of SERVICE_CATALOGUE) {
      const app = service(entry.name);
      const migrate = service(`${entry.name}-migrate`);
      expect(app.buildArgs.APP).toBe(entry.name);
      expect(migrate.buildArgs.APP).toBe(entry.name);
      expect(migrate.image).toBe(app.image);
      expect(migrate.command).toEqual(['node', `dist/apps/${entry.name}/src/migrate.js`, 'up']);
      expect(existsSync(join(root, 'apps', entry.name, 'src', 'migrate.ts'))).toBe(true);
      // The image's CMD starts the app; it waits for its migration and for Postgres and all NATS nodes healthy.
      expect(app.command).toBeUndefined();
      expect(app.dependsOn).toEqual({
        postgres: 'service_healthy',
        ...Object.fromEntries(natsServices.map((n) => [n.name, 'service_healthy'])),
        [`${entry.name}-migrate`]: 'service_completed_successfully',
      });
      expect(migrate.dependsOn).toEqual({ postgres: 'service_healthy' });
      // Development's host port, onto HTTP_PORT in the container.
      expect(app.ports).toEqual([`${defaultPortOf(entry.name)}:${app.environment.HTTP_PORT}`]);
    }
  });

  it('sets for every app only variables the app reads', () => {
    for (const app of appServices) {
      const readBy = appEnvironment(root, app.name);
      const names = Object.keys(app.environment);
      expect(names).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'NATS_URL', 'METRICS_PORT', 'NATS_NKEY_SEED_FILE']),
      );
      expect({ app: app.name, unread: names.filter((n) => !readsVariable(readBy, n)) }).toEqual({
        app: app.name,
        unread: [],
      });
      // The migration runs with x-app-env: every name there is one migrate.js reads too.
      const migrate = service(`${app.name}-migrate`);
      const migrateReads = appEnvironment(root, app.name, 'migrate');
      expect(Object.keys(migrate.environment)).toContain('DATABASE_URL');
      expect({
        migrate: migrate.name,
        unread: Object.keys(migrate.environment).filter((n) => !readsVariable(migrateReads, n)),
      }).toEqual({ migrate: migrate.name, unread: [] });
      expect(migrate.environment.DATABASE_URL).toBe(app.environment.DATABASE_URL);
    }
  });

  it('documents every variable it sets for the apps in docs/configuration.md', () => {
    const docs = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
    const names = new Set(appServices.flatMap((s) => Object.keys(s.environment)));
    expect([...names].filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
  });

  it('requires every secret with a message, as docker compose refuses to start without it', () => {
    // Every `${VAR?…}` / `${VAR:?…}` says what to set.
    expect([...raw.matchAll(/\$\{([A-Z0-9_]+):?\?\}/g)].map((m) => m[1])).toEqual([]);
    for (const name of REQUIRED_SECRETS) {
      const uses = [...raw.matchAll(new RegExp(`\\$\\{${name}([^}]*)\\}`, 'g'))].map((m) => m[1]);
      expect({ name, uses: uses.length > 0 }).toEqual({ name, uses: true });
      for (const use of uses) expect({ name, use }).toEqual({ name, use: expect.stringMatching(/^:\?\S/) });
      const { [name]: _missing, ...others } = SECRETS;
      expect(() => loadCompose(FILE, others)).toThrow(
        new RegExp(`required variable ${name} is missing a value: set ${name}`),
      );
    }
    // Each app image runs with NODE_ENV=production, where these have no default: the compose file must pass them.
    const production = { NODE_ENV: 'production' };
    expect(() => loadAuthConfig(production)).toThrow(/OPS_JWT_SECRET/);
    expect(() => keyringFromEnv(production)).toThrow(/PII_KEYS/);
    for (const app of appServices) {
      expect(app.environment.OPS_JWT_SECRET).toBe(SECRETS.OPS_JWT_SECRET);
      // The patient-data keys reach exactly the apps that read them.
      const pii = appEnvironment(root, app.name).names.has('PII_KEYS');
      expect({ app: app.name, PII_KEYS: app.environment.PII_KEYS }).toEqual({
        app: app.name,
        PII_KEYS: pii ? SECRETS.PII_KEYS : undefined,
      });
      expect(app.environment.PII_INDEX_KEY).toBe(pii ? SECRETS.PII_INDEX_KEY : undefined);
    }
    expect(service('postgres').environment.POSTGRES_PASSWORD).toBe(SECRETS.POSTGRES_PASSWORD);
    expect(service('hospital-intake').environment.DATABASE_URL).toContain(`:${SECRETS.POSTGRES_PASSWORD}@`);
  });

  it('gives each app its own nkey seed and the CA, mounted where NATS_NKEY_SEED_FILE and NATS_TLS_CA_FILE say', () => {
    const keys = join(root, '.local', 'nats', 'keys');
    const tls = join(root, '.local', 'nats', 'tls');
    const auth = readFileSync(join(root, 'docker', 'nats', 'auth.conf'), 'utf8');
    for (const app of appServices) {
      const mounted = (target: string | undefined) =>
        app.volumes.find((v) => v.target === target && v.readOnly)?.source;
      expect(mounted(app.environment.NATS_NKEY_SEED_FILE)).toBe(join(keys, `${app.name}.nk`));
      expect(mounted(app.environment.NATS_TLS_CA_FILE)).toBe(join(tls, 'ca.pem'));
      expect(auth).toContain(`nkey: $${nkeyVariableOf(app.name)}\n`);
      expect(app.environment.NATS_URL).toBe(natsServices.map((n) => `nats://${n.hostname}:4222`).join(','));
    }
  });

  it('mounts into each NATS node files that exist, and the ones `npm run nats:config -- --keys --dev-tls` writes', () => {
    expect(natsServices.map((n) => n.hostname)).toEqual(['nats-1', 'nats-2', 'nats-3']);
    const users = busUsers({
      topology: new Topology(),
      sites: readIdList(join(root, SITES_FILE)),
      providers: readIdList(join(root, PROVIDERS_FILE)),
      hospitals: readIdList(join(root, HOSPITALS_FILE)),
    }).map((u) => u.name);
    // What the generator writes (nkey-store.ts, dev-certificates.ts): the variables of nkeys.env and route.env.
    const generated = new Set([
      ...users.map(nkeyVariableOf),
      ROUTE_PASSWORD_VARIABLE,
      ...natsServices.map((n) => routeVariableOf(n.hostname!)),
    ]);
    for (const node of natsServices) {
      expect(node.envFiles.map(local)).toEqual(['.local/nats/keys/nkeys.env', '.local/nats/keys/route.env']);
      const binds = node.volumes.filter((v) => !v.named);
      const repoFiles = binds.filter((v) => !local(v.source).startsWith('.local/'));
      for (const v of repoFiles)
        expect({ file: local(v.source), exists: existsSync(v.source) }).toEqual({
          file: local(v.source),
          exists: true,
        });
      expect(
        binds.filter((v) => local(v.source).startsWith('.local/')).map((v) => [local(v.source), v.target]),
      ).toEqual([['.local/nats/tls', DEFAULT_TLS_DIR]]);
      expect(node.volumes.filter((v) => v.named).map((v) => v.source)).toEqual([`${node.name}-data`]);
      expect(compose.volumes).toContain(`${node.name}-data`);
      // The command's config, and everything it includes, is mounted beside it.
      const config = repoFiles.find((v) => v.target === node.command![node.command!.length - 1])!;
      expect(local(config.source)).toBe(`docker/nats/${node.name}.conf`);
      const text = readFileSync(config.source, 'utf8');
      expect(text).toContain(`server_name: ${node.name}\n`);
      const included = [...text.matchAll(/^\s*include \.\/(\S+)$/gm)].map((m) => m[1]);
      expect(included.sort()).toEqual(['auth.conf', 'cluster.conf', 'tls.conf']);
      const contents = [text];
      for (const name of included) {
        const mount = repoFiles.find((v) => v.target === `/etc/nats/${name}`);
        expect(mount && local(mount.source)).toBe(`docker/nats/${name}`);
        contents.push(readFileSync(mount!.source, 'utf8'));
      }
      const all = contents.join('\n');
      // Certificates from the mounted TLS folder; the JetStream store on the node's volume.
      for (const m of all.matchAll(/_file: "([^"]+)"/g))
        expect(m[1].startsWith(`${DEFAULT_TLS_DIR}/`)).toBe(true);
      expect(all).toMatch(/store_dir: \/data\n/);
      // Every $VARIABLE of the config comes from the env files the generator writes.
      const variables = new Set([...all.matchAll(/(?<!["\w.])\$([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
      expect([...variables].filter((v) => !generated.has(v))).toEqual([]);
    }
  });
});
