import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

/** One entry of a service's `volumes`. */
export interface ComposeVolume {
  /** An absolute host path (a bind mount, resolved against the compose file's folder) or a volume name. */
  readonly source: string;
  /** The path inside the container. */
  readonly target: string;
  readonly readOnly: boolean;
  /** A named volume (top-level `volumes:`), not a host path. */
  readonly named: boolean;
}

/** What a service of the compose file says once anchors, merge keys and `${…}` are resolved. */
export interface ComposeService {
  readonly name: string;
  readonly image?: string;
  readonly hostname?: string;
  /** `build.args` (the app images are one Dockerfile with `APP=<app>`). */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** `command` as an argument list; undefined: the image's CMD. */
  readonly command?: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** `env_file` entries, absolute. */
  readonly envFiles: readonly string[];
  /** Service → condition (`service_started` for the list form). */
  readonly dependsOn: Readonly<Record<string, string>>;
  readonly volumes: readonly ComposeVolume[];
  readonly ports: readonly string[];
  /** `healthcheck.test` as written (`['CMD', …]` or `['CMD-SHELL', '…']`). */
  readonly healthcheck?: readonly string[];
}

export interface ComposeFile {
  /** Folder of the compose file: relative host paths are resolved against it. */
  readonly dir: string;
  readonly name?: string;
  readonly services: Readonly<Record<string, ComposeService>>;
  /** Top-level named volumes. */
  readonly volumes: readonly string[];
  /** Variables used without a default or `?` that the environment does not set (compose warns, uses ''). */
  readonly unset: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;
type Obj = Record<string, unknown>;

const VARIABLE = /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/**
 * Compose's interpolation of one value: `$$` is a `$`; `${VAR}` / `$VAR`; `${VAR:-default}` (unset or empty)
 * and `${VAR-default}` (unset); `${VAR:?message}` / `${VAR?message}` fail with the message, as
 * `docker compose` does ("required variable VAR is missing a value: message"); `${VAR:+alt}` / `${VAR+alt}`.
 */
export function interpolate(value: string, env: Env, unset: Set<string> = new Set()): string {
  return value.replace(VARIABLE, (_all, dollar, braced, operator, argument, bare) => {
    if (dollar) return '$';
    const name = (braced ?? bare) as string;
    const raw = env[name];
    const given = raw !== undefined && !(operator?.startsWith(':') && raw === '');
    const value = raw ?? '';
    switch (operator?.replace(':', '')) {
      case '-':
        return given ? value : (argument as string);
      case '?':
        if (!given) throw new Error(`required variable ${name} is missing a value: ${argument as string}`);
        return value;
      case '+':
        return given ? (argument as string) : '';
      default:
        if (raw === undefined) unset.add(name);
        return value;
    }
  });
}

function interpolateAll(value: unknown, env: Env, unset: Set<string>): unknown {
  if (typeof value === 'string') return interpolate(value, env, unset);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env, unset));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env, unset)]));
  }
  return value;
}

/** A YAML scalar as text (compose takes `3000` and `'3000'` alike). */
function scalar(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return `${v}`;
  return JSON.stringify(v);
}

function environmentOf(raw: unknown, env: Env): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map((line: string) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, null] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(raw as Obj);
  const out: Record<string, string> = {};
  for (const [key, value] of entries) {
    // `KEY` without a value takes the variable from the environment compose runs in (left out when unset).
    if (value === null) {
      if (env[key] !== undefined) out[key] = env[key]!;
    } else out[key] = scalar(value);
  }
  return out;
}

function volumeOf(raw: unknown, dir: string): ComposeVolume {
  let source: string;
  let target: string;
  let readOnly: boolean;
  if (typeof raw === 'string') {
    const parts = raw.split(':');
    if (parts.length === 1) return { source: '', target: parts[0], readOnly: false, named: true };
    [source, target] = parts;
    readOnly = (parts[2] ?? '').split(',').includes('ro');
  } else {
    const long = raw as Obj;
    source = scalar(long.source);
    target = scalar(long.target);
    readOnly = long.read_only === true;
  }
  const named = !(source.startsWith('.') || source.startsWith('/') || source.startsWith('~'));
  return { source: named || isAbsolute(source) ? source : resolve(dir, source), target, readOnly, named };
}

function serviceOf(name: string, raw: Obj, dir: string, env: Env): ComposeService {
  const dependsOn: Record<string, string> = {};
  if (Array.isArray(raw.depends_on)) {
    for (const service of raw.depends_on as string[]) dependsOn[service] = 'service_started';
  } else if (raw.depends_on) {
    for (const [service, spec] of Object.entries(raw.depends_on as Obj)) {
      dependsOn[service] = scalar((spec as Obj | null)?.condition) || 'service_started';
    }
  }
  const envFiles = (
    raw.env_file === undefined ? [] : Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file]
  ).map((f) => resolve(dir, typeof f === 'string' ? f : scalar((f as Obj).path)));
  const command =
    raw.command === undefined
      ? undefined
      : Array.isArray(raw.command)
        ? raw.command.map(scalar)
        : scalar(raw.command).split(/\s+/).filter(Boolean);
  const build = raw.build && typeof raw.build === 'object' ? (raw.build as Obj) : {};
  const health = (raw.healthcheck as Obj | undefined)?.test;
  return {
    name,
    ...(raw.image !== undefined ? { image: scalar(raw.image) } : {}),
    ...(raw.hostname !== undefined ? { hostname: scalar(raw.hostname) } : {}),
    buildArgs: environmentOf(build.args, env),
    ...(command ? { command } : {}),
    environment: environmentOf(raw.environment, env),
    envFiles,
    dependsOn,
    volumes: ((raw.volumes as unknown[]) ?? []).map((v) => volumeOf(v, dir)),
    ports: ((raw.ports as unknown[]) ?? []).map(scalar),
    ...(health !== undefined
      ? { healthcheck: Array.isArray(health) ? health.map(scalar) : [scalar(health)] }
      : {}),
  };
}

/**
 * Reads a compose file as `docker compose config` would resolve it: YAML anchors and `<<` merge keys, then
 * `${…}` from `env` (a missing required variable throws its message), relative host paths against the file's
 * folder. Only the parts the tests use: per service environment, command, depends_on, volumes, ports,
 * env_file, hostname, image, build args and the healthcheck command.
 */
export function loadCompose(file: string, env: Env): ComposeFile {
  const dir = dirname(resolve(file));
  const document = parse(readFileSync(file, 'utf8'), { merge: true }) as Obj;
  const unset = new Set<string>();
  const resolved = interpolateAll(document, env, unset) as Obj;
  const services = Object.fromEntries(
    Object.entries((resolved.services as Obj) ?? {}).map(([name, raw]) => [
      name,
      serviceOf(name, raw as Obj, dir, env),
    ]),
  );
  return {
    dir,
    ...(resolved.name !== undefined ? { name: scalar(resolved.name) } : {}),
    services,
    volumes: Object.keys((resolved.volumes as Obj) ?? {}),
    unset: [...unset],
  };
}

/** `KEY=VALUE` lines of an env_file (`#` comments and blank lines skipped; no interpolation). */
export function readEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf('=');
    if (at > 0) out[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return out;
}
