import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { SERVICE_NAMES, SERVICES, ServiceName } from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';
import { natsClientOptions } from '@app/messaging';
import { AppFleet, freePort, LocalPostgres, waitFor } from '@app/testing';
import { ComposeFile, ComposeService, loadCompose } from '@app/testing/compose';
import { Bus } from './support/bus';
import { PIPELINE } from './support/checker';
import {
  hostPathOf,
  imageEnv,
  NativeNatsNode,
  NodePorts,
  REPO,
  servicesWhere,
  startComposePostgres,
} from './support/compose-topology';
import { FAULT_COUNTY } from './support/discharges';
import { FaultWorld } from './support/world';

const run = promisify(execFile);
const REPLICAS = 2;
const REFERRALS = 100;
/** The apps in the order they are started (compose starts them together once their migrations are done). */
const APPS: readonly ServiceName[] = [...PIPELINE, SERVICES.employmentReferral, SERVICES.opsMonitor];

/**
 * Issue #23: docker/docker-compose.yml brought up natively (no Docker engine here) from its own files, then
 * driven. What runs as written: the compose file's resolved environment of every app (x-app-env, x-pii-env, its
 * nkey seed and the CA as mounted), the generated NATS config of all three nodes (users and permissions, TLS on
 * the client port, routes over mutual TLS with the route user), NODE_ENV=production from the Dockerfile, each
 * `<app>-migrate` command once before its app, 2 replicas of every app, a hospital and a site onboarded with
 * `npm run onboard` (production has no seed). What is rewritten, host-specific only: hostnames and ports to
 * 127.0.0.1 and free ports (NATS client/cluster/monitoring, Postgres, HTTP_PORT/METRICS_PORT per replica,
 * HTTP_HOST/METRICS_HOST 0.0.0.0 → 127.0.0.1), the container paths of mounts to temp folders, and
 * `sync_interval` removed for nats-server 2.9.10 (see NativeNatsNode). Postgres is a LocalPostgres with the
 * compose `-c` settings, the image's user/password/database and trust authentication.
 */
describe('faults: the compose topology, natively from docker/docker-compose.yml', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'compose-topology-'));
  /** Stands for the repository's .local/nats (keys/, tls/). */
  const localNats = join(tmp, 'local-nats');
  const secrets = {
    POSTGRES_PASSWORD: randomBytes(18).toString('base64url'),
    GRAFANA_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
    OPS_JWT_SECRET: randomBytes(48).toString('base64url'),
    PII_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    PII_INDEX_KEY: randomBytes(32).toString('base64'),
  };
  let compose: ComposeFile;
  let nodes: NativeNatsNode[] = [];
  let pg: LocalPostgres;
  let fleet: AppFleet;
  let world: FaultWorld;
  let appEnv: Partial<Record<ServiceName, NodeJS.ProcessEnv>>;
  let admin: ReturnType<typeof natsClientOptions>;
  const migrations: Record<string, string> = {};

  /** The compose environment of a service with only host-specific values rewritten. */
  const hostEnv = (
    service: ComposeService,
    ports: ReadonlyMap<string, NodePorts>,
    pgPort: number,
  ): NodeJS.ProcessEnv => {
    const app = service.buildArgs.APP;
    const env: NodeJS.ProcessEnv = { ...imageEnv(app), ...service.environment };
    for (const [key, value] of Object.entries(env)) {
      let v = value!
        .replace(/@postgres:5432\//, `@127.0.0.1:${pgPort}/`)
        .replace(/\/\/(nats-\d+):4222/g, (_w, host: string) => `//127.0.0.1:${ports.get(host)!.client}`);
      if (key.endsWith('_HOST') && v === '0.0.0.0') v = '127.0.0.1';
      // A file the container sees through a mount: the host file behind it.
      const mount = service.volumes.find((m) => m.target === v && !m.named);
      if (mount) v = hostPathOf(mount.source, localNats);
      env[key] = v;
    }
    return env;
  };

  beforeAll(async () => {
    compose = loadCompose(join(REPO, 'docker', 'docker-compose.yml'), secrets);

    // `npm run nats:config -- --keys .local/nats/keys --dev-tls .local/nats/tls` (docker/README.md), built
    // already; --out keeps the committed config untouched, and it must equal a fresh generation.
    const generated = join(tmp, 'generated');
    await run(process.execPath, [
      join(REPO, 'dist', 'scripts', 'generate-nats-config.js'),
      '--out', generated,
      '--keys', join(localNats, 'keys'),
      '--dev-tls', join(localNats, 'tls'),
    ], { cwd: REPO }); // prettier-ignore
    for (const file of ['auth.conf', 'tls.conf', 'cluster.conf']) {
      expect(readFileSync(join(generated, file), 'utf8')).toBe(
        readFileSync(join(REPO, 'docker', 'nats', file), 'utf8'),
      );
    }

    const natsServices = servicesWhere(compose, (s) => s.image?.startsWith('nats:') ?? false);
    expect(natsServices.map((s) => s.hostname)).toEqual(['nats-1', 'nats-2', 'nats-3']);
    const ports = new Map<string, NodePorts>();
    for (const s of natsServices) {
      ports.set(s.hostname!, {
        client: await freePort(),
        cluster: await freePort(),
        monitor: await freePort(),
      });
    }
    nodes = natsServices.map((s) => new NativeNatsNode(s, ports.get(s.hostname!)!, join(tmp, s.name)));
    const envs = nodes.map((n) => n.prepare(localNats, ports));
    nodes.forEach((n, i) => n.start(envs[i]));
    pg = await startComposePostgres(compose.services.postgres);
    for (const node of nodes) {
      await waitFor(() => node.healthy(), { timeoutMs: 60_000, message: `${node.service.name} healthy` });
    }
    console.log(
      'NATS config rewritten (per node, nats-1):\n' +
        Object.entries(nodes[0].rewritten)
          .map(([file, lines]) => `${file}: ${lines.length === 0 ? 'unchanged' : `\n${lines.join('\n')}`}`)
          .join('\n'),
    );

    // The <app>-migrate services: their command, once per app, all at once as compose starts them.
    await Promise.all(
      APPS.map(async (app) => {
        const migrate = compose.services[`${app}-migrate`];
        const [node, ...args] = migrate.command!;
        expect(node).toBe('node');
        const { stdout, stderr } = await run(process.execPath, args, {
          cwd: REPO,
          env: hostEnv(migrate, ports, pg.port),
        });
        migrations[app] = stdout + stderr;
      }),
    );

    appEnv = Object.fromEntries(APPS.map((app) => [app, hostEnv(compose.services[app], ports, pg.port)]));
    const first = appEnv[SERVICES.hospitalIntake]!;
    fleet = await AppFleet.start({
      apps: APPS,
      asDeployed: true,
      appEnv,
      migrate: false,
      seed: false,
      replicas: REPLICAS,
      databaseUrl: first.DATABASE_URL!,
      natsUrl: first.NATS_URL!,
      // Readiness is public: no token.
      readinessHeaders: () => ({}),
      readyTimeoutMs: 120_000,
    });

    // Production has no demo data: a hospital and a site of 汉滨区 (every township of the county the discharges
    // come from) onboarded as an operator does.
    const divisions = await DivisionDirectory.load();
    const townships = divisions.townshipsOf(FAULT_COUNTY).map((t) => t.code);
    const onboard = async (kind: string, body: Record<string, unknown>): Promise<string> => {
      const file = join(tmp, `${kind}.json`);
      writeFileSync(file, JSON.stringify(body));
      const { stdout } = await run(process.execPath, [join(REPO, 'dist', 'scripts', 'onboard.js'), kind, '--file', file], {
        cwd: REPO,
        env: {
          ...process.env,
          OPS_JWT_SECRET: secrets.OPS_JWT_SECRET,
          HOSPITAL_INTAKE_URL: fleet.app(SERVICES.hospitalIntake).url,
          REHAB_SITE_URL: fleet.app(SERVICES.rehabSite).url,
        },
      }); // prettier-ignore
      const key = /API key \(X-API-Key\): (\S+)/.exec(stdout)?.[1];
      if (!key) throw new Error(`onboard ${kind} printed no key:\n${stdout}`);
      return key;
    };
    const hospitalKey = await onboard('hospital', {
      id: 'ak-hb-compose-hospital',
      name: '安康市汉滨区第一医院',
      level: 'secondary',
      countyDivisionCode: FAULT_COUNTY,
      kind: 'general',
      onCall: { name: '总值班', phone: '0915-3212000' },
      takesGreenCases: false,
    });
    await onboard('site', {
      id: 'ak-hb-compose-street-site',
      name: '汉滨区街道精康服务站',
      level: 'street-site',
      areaCodes: townships,
      services: ['day-care', 'social-skills', 'family-support'],
      maxRiskLevel: 2,
      capacity: 10 * REFERRALS,
      contactAddress: '陕西省安康市汉滨区老城街道育才路12号',
      contactPhone: '0915-3212345',
    });
    admin = natsClientOptions('admin', {
      nkeySeedFile: join(localNats, 'keys', 'admin.nk'),
      tlsCaFile: join(localNats, 'tls', 'ca.pem'),
    });
    world = await FaultWorld.of(fleet, hospitalKey, admin);
  }, 420_000);

  afterAll(async () => {
    await fleet?.stop();
    for (const node of nodes) await node.stop();
    await pg?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it('should run every app as written, with 2 replicas each, on the TLS + nkey cluster', async () => {
    expect(fleet.all().map((a) => a.label)).toEqual(APPS.flatMap((app) => [`${app} #1`, `${app} #2`]));
    expect([...APPS].sort()).toEqual([...SERVICE_NAMES].sort());
    for (const app of fleet.all()) {
      const env = appEnv[app.name]!;
      // The compose values that are not host-specific reach the process unchanged.
      for (const key of ['NODE_ENV', 'STREAM_REPLICAS', 'LOG_LEVEL', 'SHUTDOWN_GRACE_MS', 'OPS_JWT_SECRET']) {
        expect({ app: app.label, key, value: app.env[key] }).toEqual({
          app: app.label,
          key,
          value: env[key],
        });
      }
      expect(app.env.NODE_ENV).toBe('production');
      expect(app.env.NATS_NKEY_SEED_FILE).toBe(join(localNats, 'keys', `${app.name}.nk`));
      expect(app.env.BUS_NAMESPACE).toBeUndefined();
      expect(app.env.DB_SCHEMA).toBeUndefined();
      // /health/ready and the metrics port answer without credentials.
      expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
      const metrics = await fetch(`http://127.0.0.1:${app.env.METRICS_PORT}/metrics`);
      expect({ app: app.label, status: metrics.status }).toEqual({ app: app.label, status: 200 });
      expect(await metrics.text()).toContain(`service="${app.name}"`);
      // The public port's /metrics still wants an ops token.
      expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
    }
    // Only the host-specific lines of the NATS config were rewritten (what NativeNatsNode documents).
    const removed = (lines: string[]) => lines.map((l) => l.split('\n')[0]);
    const certificates = ['server-cert.pem', 'server-key.pem', 'ca.pem'].map(
      (f, i) => `- ${['cert_file', 'key_file', 'ca_file'][i]}: "/etc/nats/tls/${f}"`,
    );
    for (const node of nodes) {
      expect(removed(node.rewritten['/etc/nats/nats.conf'])).toEqual([
        '- listen: 0.0.0.0:4222',
        '- http: 0.0.0.0:8222',
        '- store_dir: /data',
        '- sync_interval: always',
        '- listen: 0.0.0.0:6222',
      ]);
      expect(node.rewritten['/etc/nats/auth.conf']).toEqual([]);
      expect(removed(node.rewritten['/etc/nats/tls.conf'])).toEqual(certificates);
      expect(removed(node.rewritten['/etc/nats/cluster.conf'])).toEqual(certificates);
    }
    // The nodes refuse plain TCP and unknown users: the apps got in with TLS and their own nkeys.
    expect(nodes.every((n) => n.running)).toBe(true);
    const bus = await Bus.connect(fleet.natsUrl, '', admin);
    try {
      expect(await bus.streamReplicas('REFERRAL')).toEqual({ replicas: 3, peers: 3 });
    } finally {
      await bus.close();
    }
    const plain = await import('@nats-io/transport-node').then(({ connect }) =>
      connect({ servers: nodes[0].url, timeout: 3000, reconnect: false }).then(
        async (nc) => (await nc.close(), 'connected'),
        (error: Error) => error.message,
      ),
    );
    expect(plain).not.toBe('connected');
    for (const app of APPS) expect(migrations[app]).not.toMatch(/error/i);
  });

  it('should take 100 referrals through both hospital-intake replicas, none lost or doubled, every one assigned', async () => {
    const startedAt = Date.now();
    const load = world.load(REFERRALS, { concurrency: 4, deadlineMs: 180_000 });
    const verdict = await world.verify(
      load,
      {
        scenario: '11 compose topology',
        fault: `docker-compose.yml natively: 3 TLS + nkey NATS nodes, ${REPLICAS} replicas of all ${APPS.length} apps, NODE_ENV=production`,
        injected: 0,
        startedAt,
      },
      {},
      120_000,
    );
    expect(verdict.acknowledged).toBe(REFERRALS);
    expect(verdict.lost).toBe(0);
    expect(verdict.duplicated).toBe(0);
    const db = new Client({ connectionString: fleet.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${fleet.app(SERVICES.rehabSite).schema}".referral WHERE status = 'assigned'`,
      );
      expect(rows[0].n).toBe(REFERRALS);
    } finally {
      await db.end();
    }
    // Both intake replicas took discharges (the load spreads its posters over them): their request logs.
    const perReplica = new Map<string, number>();
    for (const replica of fleet.replicasOf(SERVICES.hospitalIntake)) {
      const posts = replica
        .logText()
        .split('\n')
        .filter((l) => l.includes('"POST"') && l.includes('/v1/discharges'));
      perReplica.set(replica.label, posts.length);
    }
    console.log(
      `${REFERRALS} referrals through the compose topology in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; ` +
        `discharge posts logged per intake replica: ${JSON.stringify(Object.fromEntries(perReplica))}`,
    );
    expect([...perReplica.values()].every((n) => n > 0)).toBe(true);
    expect([...perReplica.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(REFERRALS);
  }, 300_000);
});
