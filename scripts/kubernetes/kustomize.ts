import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/**
 * The part of kustomize that deploy/kubernetes uses, rendered in-process (no kubectl on the development and CI
 * machines): `resources` (plain YAML files), `namespace`, `commonLabels` and `secretGenerator` (`envs` and
 * `files`) with `generatorOptions.disableNameSuffixHash`. Any other field of the kustomization is refused, so
 * the base cannot start using a feature this renderer would silently skip.
 */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
} & Record<string, unknown>;

interface SecretGenerator {
  name: string;
  envs?: string[];
  files?: string[];
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  commonLabels?: Record<string, string>;
  resources?: string[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  secretGenerator?: SecretGenerator[];
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'commonLabels',
  'resources',
  'generatorOptions',
  'secretGenerator',
]);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume']);

export interface RenderOptions {
  /** Read the secretGenerator's `secrets/…` files from this folder instead (e.g. `secrets.example`). */
  readonly secretsDir?: string;
}

/** `KEY=VALUE` lines as kustomize reads an env file: blank lines and `#` comments skipped. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw new Error(`${file}: not a KEY=VALUE line: ${trimmed}`);
    data[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return data;
}

function addLabels(target: Record<string, unknown>, path: string[], labels: Record<string, string>): void {
  let node: Record<string, unknown> = target;
  for (const key of path) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  Object.assign(node, labels);
}

/** Where kustomize's commonLabels go besides metadata.labels (the selectors and pod templates used here). */
function applyCommonLabels(manifest: Manifest, labels: Record<string, string>): void {
  addLabels(manifest, ['metadata', 'labels'], labels);
  const spec = manifest.spec as Record<string, unknown> | undefined;
  if (!spec) return;
  switch (manifest.kind) {
    case 'Deployment':
      addLabels(spec, ['selector', 'matchLabels'], labels);
      addLabels(spec, ['template', 'metadata', 'labels'], labels);
      break;
    case 'Job':
      addLabels(spec, ['template', 'metadata', 'labels'], labels);
      break;
    case 'Service':
      addLabels(spec, ['selector'], labels);
      break;
    case 'PodDisruptionBudget':
      addLabels(spec, ['selector', 'matchLabels'], labels);
      break;
    case 'NetworkPolicy':
      addLabels(spec, ['podSelector', 'matchLabels'], labels);
      break;
  }
}

function readGenerated(dir: string, path: string, options: RenderOptions): string {
  const local =
    options.secretsDir && path.startsWith('secrets/')
      ? path.replace(/^secrets\//, `${options.secretsDir}/`)
      : path;
  return readFileSync(join(dir, local), 'utf8');
}

function generateSecret(dir: string, generator: SecretGenerator, options: RenderOptions): Manifest {
  const data: Record<string, string> = {};
  const put = (key: string, value: string): void => {
    if (key in data) throw new Error(`secretGenerator ${generator.name}: key ${key} twice`);
    data[key] = Buffer.from(value).toString('base64');
  };
  for (const file of generator.envs ?? []) {
    for (const [key, value] of Object.entries(parseEnvFile(readGenerated(dir, file, options), file)))
      put(key, value);
  }
  for (const entry of generator.files ?? []) {
    const [key, file] = entry.includes('=') ? entry.split('=', 2) : [entry.split('/').pop()!, entry];
    put(key, readGenerated(dir, file, options));
  }
  return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: generator.name }, data };
}

/** The objects `kubectl kustomize <dir>` would print, in the same order (resources, then generated). */
export function renderKustomization(dir: string, options: RenderOptions = {}): Manifest[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Kustomization;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0)
    throw new Error(`kustomization fields this renderer does not implement: ${unsupported.join(', ')}`);
  if (k.secretGenerator?.length && !k.generatorOptions?.disableNameSuffixHash) {
    throw new Error(
      'secretGenerator needs generatorOptions.disableNameSuffixHash (no hash suffixes rendered here)',
    );
  }
  const manifests: Manifest[] = [];
  for (const resource of k.resources ?? []) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, resource), 'utf8'))) {
      if (doc.errors.length > 0) throw new Error(`${resource}: ${doc.errors[0].message}`);
      const manifest = doc.toJS() as Manifest | null;
      if (manifest) manifests.push(manifest);
    }
  }
  for (const generator of k.secretGenerator ?? []) manifests.push(generateSecret(dir, generator, options));
  for (const manifest of manifests) {
    if (k.namespace && !CLUSTER_SCOPED.has(manifest.kind)) manifest.metadata.namespace = k.namespace;
    if (k.commonLabels) applyCommonLabels(manifest, k.commonLabels);
  }
  return manifests;
}
