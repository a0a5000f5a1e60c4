import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job as BatchJob } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service } from 'kubernetes-models/v1';
import { SERVICE_NAMES } from '@app/contracts';
import { loadAuthConfig } from '@app/auth';
import { loadServiceConfig } from '@app/core';
import { keyringFromEnv } from '@app/crypto';
import { readSeed } from '@app/messaging/security/nkey-store';
import { loadRegistrationConfig } from '@apps/registration/src/config/registration.config';
import { appEnvironment, AppEnvironment, readsVariable } from './app-env';
import { renderKustomization } from './kustomize';

/**
 * deploy/kubernetes, rendered as `kubectl apply -k deploy/kubernetes` would (with the secret templates of
 * secrets.example in place of the git-ignored secrets/), then checked against the Kubernetes OpenAPI schemas
 * (kubernetes-models) and the project's own rules.
 */
const root = join(__dirname, '..', '..');
const base = join(root, 'deploy', 'kubernetes');
const manifests = renderKustomization(base, { secretsDir: 'secrets.example' });

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const MODELS: Record<string, new (data: Obj) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': BatchJob,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
};

const find = (kind: string, name: string): Obj | undefined =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);
const get = (kind: string, name: string): Obj => {
  const found = find(kind, name);
  if (!found) throw new Error(`no ${kind} ${name} in the rendered base`);
  return found;
};
const config = get('ConfigMap', 'referral-bus-config').data as Record<string, string>;
const matches = (selector: Record<string, string>, labels: Record<string, string>): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** Every env name a container gets: `env`, and the keys of the ConfigMaps and Secrets of `envFrom`. */
function envNames(container: Obj): string[] {
  const names: string[] = (container.env ?? []).map((e: Obj) => e.name);
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const object = get(kind, ref.name);
    names.push(...Object.keys(object.data ?? {}).map((key) => `${source.prefix ?? ''}${key}`));
  }
  return names;
}

/** Bytes of a Kubernetes quantity (Mi, Gi, M, G or plain). */
function bytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|k|M|G)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

describe('deploy/kubernetes', () => {
  it('renders every app with its Deployment, Service, PodDisruptionBudget and migration Job, in one namespace', () => {
    for (const app of SERVICE_NAMES) {
      for (const [kind, name] of [
        ['Deployment', app],
        ['Service', app],
        ['PodDisruptionBudget', app],
        ['Job', `${app}-migrate`],
        ['Secret', `${app}-database`],
        ['Secret', `${app}-nats`],
      ]) {
        expect(find(kind, name)).toBeDefined();
      }
    }
    const apps = manifests.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name);
    expect(apps.sort()).toEqual([...SERVICE_NAMES].sort());
    for (const m of manifests) {
      expect(m.metadata.labels?.['app.kubernetes.io/part-of']).toBe('referral-bus');
      if (m.kind !== 'Namespace') expect(m.metadata.namespace).toBe('referral-bus');
    }
  });

  it('validates every object against the Kubernetes OpenAPI schema of its kind', () => {
    for (const m of manifests) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      if (!Model) throw new Error(`no schema wired for ${m.apiVersion} ${m.kind} (${m.metadata.name})`);
      expect(() => new Model(m).validate()).not.toThrow();
    }
  });

  it('refuses an object that breaks its schema (the validation can fail)', () => {
    const broken = structuredClone(get('Deployment', 'rehab-site'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => new Deployment(broken).validate()).toThrow(/containerPort must be integer/);
  });

  describe.each(SERVICE_NAMES)('%s', (app) => {
    const deployment = get('Deployment', app);
    const pod = deployment.spec.template.spec;
    const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
    const [container] = pod.containers;

    it('runs 2 replicas of the app image, non-root, read-only, with no privilege escalation', () => {
      expect(deployment.spec.replicas).toBe(2);
      expect(pod.containers).toHaveLength(1);
      expect(container.image).toMatch(new RegExp(`^referral-bus/${app}:`));
      expect(container.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
    });

    it('probes the public liveness and readiness endpoints on the HTTP port, with a startup probe', () => {
      const http = container.ports.find((p: Obj) => p.name === 'http');
      expect(http.containerPort).toBe(Number(config.HTTP_PORT));
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
    });

    it('names and annotates the internal metrics port for Prometheus', () => {
      const metrics = container.ports.find((p: Obj) => p.name === 'metrics');
      expect(metrics.containerPort).toBe(Number(config.METRICS_PORT));
      expect(deployment.spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': config.METRICS_PORT,
        'prometheus.io/path': '/metrics',
      });
    });

    it('requests at least the measured peak memory (176 MB, docs/performance.md) and CPU, with a memory limit', () => {
      const { requests, limits } = container.resources;
      expect(bytes(requests.memory)).toBeGreaterThanOrEqual(176e6);
      expect(bytes(limits.memory)).toBeGreaterThan(bytes(requests.memory));
      expect(requests.cpu).toMatch(/^\d+m$/);
    });

    it('gives shutdown longer than SHUTDOWN_GRACE_MS plus the preStop pause', () => {
      const pause = Number(container.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(
        Number(config.SHUTDOWN_GRACE_MS) + pause * 1000,
      );
    });

    it('has a PodDisruptionBudget (minAvailable 1) and a Service that select exactly its pods', () => {
      const pdbs = manifests.filter(
        (m) => m.kind === 'PodDisruptionBudget' && matches((m.spec as Obj).selector.matchLabels, podLabels),
      ) as Obj[];
      expect(pdbs.map((p) => p.metadata.name)).toEqual([app]);
      expect(pdbs[0].spec.minAvailable).toBe(1);
      const service = get('Service', app);
      expect(matches(service.spec.selector, podLabels)).toBe(true);
      const others = manifests.filter((m) => m.kind === 'Deployment' && m.metadata.name !== app) as Obj[];
      for (const other of others) {
        expect(matches(service.spec.selector, other.spec.template.metadata.labels)).toBe(false);
        expect(matches(pdbs[0].spec.selector.matchLabels, other.spec.template.metadata.labels)).toBe(false);
      }
    });

    it('sets only env names the app reads, from objects the base renders', () => {
      const readBy: AppEnvironment = appEnvironment(root, app);
      const names = envNames(container);
      expect(names).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'NATS_URL', 'METRICS_PORT', 'OPS_JWT_SECRET']),
      );
      expect(names.filter((name) => !readsVariable(readBy, name))).toEqual([]);
      expect(new Set(names).size).toBe(names.length);
    });

    it('mounts the NATS files that NATS_NKEY_SEED_FILE and NATS_TLS_CA_FILE name', () => {
      const nats = pod.volumes.find((v: Obj) => v.secret?.secretName === `${app}-nats`);
      const mount = container.volumeMounts.find((m: Obj) => m.name === nats.name);
      const keys = Object.keys(get('Secret', `${app}-nats`).data);
      for (const file of [config.NATS_NKEY_SEED_FILE, config.NATS_TLS_CA_FILE]) {
        expect(file.startsWith(`${mount.mountPath}/`)).toBe(true);
        expect(keys).toContain(file.slice(mount.mountPath.length + 1));
      }
    });

    it('migrates in a Job that runs migrate.js up with only what the migration reads', () => {
      const job = get('Job', `${app}-migrate`);
      const [migrate] = job.spec.template.spec.containers;
      expect(migrate.image).toBe(container.image);
      expect(migrate.command).toEqual(['node', `dist/apps/${app}/src/migrate.js`, 'up']);
      expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(migrate.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
      });
      const readBy = appEnvironment(root, app, 'migrate');
      const names = envNames(migrate);
      expect(names).toContain('DATABASE_URL');
      // Migrations log in as the schema owner; the app as its own login (docs/operations.md, Database logins).
      expect(migrate.envFrom).toEqual([{ secretRef: { name: 'database-owner' } }]);
      expect(container.envFrom).toContainEqual({ secretRef: { name: `${app}-database` } });
      expect(names.filter((name) => !readsVariable(readBy, name))).toEqual([]);
      // Not selected by the app's Service or PDB: a finished migration pod is no replica.
      expect(matches(get('Service', app).spec.selector, job.spec.template.metadata.labels)).toBe(false);
    });
  });

  it('keeps the metrics port internal: only the monitoring namespace may reach it', () => {
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy') as Obj[];
    for (const app of SERVICE_NAMES) {
      const labels = get('Deployment', app).spec.template.metadata.labels;
      const selecting = policies.filter((p) => matches(p.spec.podSelector.matchLabels ?? {}, labels));
      expect(selecting.length).toBeGreaterThan(0);
      for (const policy of selecting) {
        expect(policy.spec.policyTypes).toContain('Ingress');
        for (const rule of policy.spec.ingress ?? []) {
          const allowsMetrics =
            !rule.ports ||
            rule.ports.some((p: Obj) => p.port === 'metrics' || p.port === Number(config.METRICS_PORT));
          if (allowsMetrics) {
            expect(rule.from).toEqual([{ namespaceSelector: { matchLabels: expect.any(Object) } }]);
          }
        }
      }
    }
  });

  it('exposes hospital-intake MLLP on the port the app is told to listen on', () => {
    const [container] = get('Deployment', 'hospital-intake').spec.template.spec.containers;
    const port = container.env.find((e: Obj) => e.name === 'INTAKE_MLLP_PORT').value;
    expect(container.ports.find((p: Obj) => p.name === 'mllp').containerPort).toBe(Number(port));
    expect(get('Service', 'hospital-intake').spec.ports).toContainEqual(
      expect.objectContaining({ name: 'mllp', port: Number(port), targetPort: 'mllp' }),
    );
  });

  it('gives patient-data keys only to the apps that read them', () => {
    const withPii = SERVICE_NAMES.filter((app) =>
      envNames(get('Deployment', app).spec.template.spec.containers[0]).includes('PII_KEYS'),
    );
    expect(withPii).toEqual(SERVICE_NAMES.filter((app) => appEnvironment(root, app).names.has('PII_KEYS')));
    expect(withPii).not.toContain('ops-monitor');
  });

  describe('secret templates', () => {
    const decoded = (name: string): Record<string, string> =>
      Object.fromEntries(
        Object.entries(get('Secret', name).data as Record<string, string>).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString(),
        ]),
      );
    const production = { NODE_ENV: 'production' };

    it('keep the real secrets out of git', () => {
      const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
      expect(ignored).toContain('deploy/kubernetes/secrets/');
    });

    it('hold placeholders that every app refuses at boot', () => {
      for (const app of SERVICE_NAMES) {
        const { DATABASE_URL } = decoded(`${app}-database`);
        expect(() => loadServiceConfig(app, { ...production, DATABASE_URL })).toThrow(/DATABASE_URL/);
        const owner = decoded('database-owner').DATABASE_URL;
        expect(() => loadServiceConfig(app, { ...production, DATABASE_URL: owner })).toThrow(/DATABASE_URL/);
        expect(() => readSeed(join(base, 'secrets.example', app, 'nkey.seed'))).toThrow(/nkey seed/);
      }
      expect(() => loadAuthConfig({ ...production, ...decoded('ops-jwt') })).toThrow(/OPS_JWT_SECRET/);
      const pii = decoded('pii-keys');
      expect(() => keyringFromEnv({ ...production, ...pii })).toThrow(/PII_KEYS/);
      expect(() =>
        keyringFromEnv({
          ...production,
          PII_KEYS: `k1:${Buffer.alloc(32).toString('base64')}`,
          PII_INDEX_KEY: pii.PII_INDEX_KEY,
        }),
      ).toThrow(/PII_INDEX_KEY/);
      const sms = decoded('registration-sms-gateway');
      expect(() => loadRegistrationConfig({ ...production, NOTICE_SENDER: 'sms-gateway', ...sms })).toThrow(
        /SMS_GATEWAY_URL[\s\S]*SMS_GATEWAY_API_KEY[\s\S]*SMS_GATEWAY_CALLBACK_SECRET/,
      );
    });
  });
});
