import { accessSync, constants, statSync } from 'node:fs';
import { plainToInstance, Type } from 'class-transformer';
import { IsEmpty, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { defaultPortOf, defaultSchemaOf, ServiceName } from '@app/contracts';

/** Default ports and schemas: the service catalogue (libs/contracts). */
export { defaultPortOf };

/** Where every service, script and `npm start` looks for Postgres and NATS unless told otherwise. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/referral_bus';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/** Who creates the JetStream streams and durables (BUS_PROVISIONING). */
export const BUS_PROVISIONING_MODES = ['self', 'verify'] as const;
export type BusProvisioning = (typeof BUS_PROVISIONING_MODES)[number];

/** Environment variables every service reads at boot. Anything invalid stops the boot with a clear message. */
class EnvironmentVariables {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DB_SCHEMA must be a lower-case SQL identifier' })
  DB_SCHEMA?: string;

  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'DB_RUNTIME_ROLE must be a lower-case SQL identifier' })
  DB_RUNTIME_ROLE?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10000)
  DB_STATEMENT_CACHE_SIZE?: number;

  @IsOptional()
  @Matches(/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/, {
    message: 'NATS_URL must be one or more comma-separated nats:// URLs',
  })
  NATS_URL?: string;

  @IsOptional()
  @Matches(/^[a-z][a-z0-9]{0,31}$/, {
    message: 'BUS_NAMESPACE must be lower-case letters and digits (max 32)',
  })
  BUS_NAMESPACE?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT?: number;

  @IsOptional()
  @IsString()
  HTTP_HOST?: string;

  /**
   * Port of the internal metrics listener (Prometheus text at /metrics, no credentials): meant for a port that
   * only the scraper can reach (pod network, compose network). Unset: no internal listener; 0: any free port.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  @IsOptional()
  @IsString()
  METRICS_HOST?: string;

  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60000)
  OUTBOX_POLL_INTERVAL_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600000)
  OUTBOX_HANDOFF_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  OUTBOX_BATCH_SIZE?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CONSUMER_LANES?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(256)
  CONSUMER_BATCH_SIZE?: number;

  /** Replaced by CONSUMER_LANES and CONSUMER_BATCH_SIZE: refused, so an old setting is not silently ignored. */
  @IsOptional()
  @IsEmpty({ message: 'CONSUMER_CONCURRENCY was replaced by CONSUMER_LANES and CONSUMER_BATCH_SIZE' })
  CONSUMER_CONCURRENCY?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(120000)
  SHUTDOWN_GRACE_MS?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  OUTBOX_BACKLOG_READY_LIMIT?: number;

  @IsOptional()
  @Type(() => Number)
  @IsIn([1, 3, 5], { message: 'STREAM_REPLICAS must be 1, 3 or 5' })
  STREAM_REPLICAS?: number;

  /** `self`: the service creates its streams and durables at boot; `verify`: `npm run provision` did (admin). */
  @IsOptional()
  @IsIn(BUS_PROVISIONING_MODES, { message: 'BUS_PROVISIONING must be self or verify' })
  BUS_PROVISIONING?: BusProvisioning;

  /** File with this service's NATS user nkey seed (`SU…`, from `npm run nats:config -- --keys <dir>`). */
  @IsOptional()
  @IsString()
  NATS_NKEY_SEED_FILE?: string;

  /** CA of the NATS servers' certificates: turns TLS on. */
  @IsOptional()
  @IsString()
  NATS_TLS_CA_FILE?: string;

  /** Client certificate and key, for NATS servers that require mutual TLS (`verify: true`). */
  @IsOptional()
  @IsString()
  NATS_TLS_CERT_FILE?: string;

  @IsOptional()
  @IsString()
  NATS_TLS_KEY_FILE?: string;
}

const NATS_FILE_VARIABLES = [
  'NATS_NKEY_SEED_FILE',
  'NATS_TLS_CA_FILE',
  'NATS_TLS_CERT_FILE',
  'NATS_TLS_KEY_FILE',
] as const;

/** Problems with the NATS credential files: each must be a readable file; a client cert needs its key. */
function natsFileProblems(vars: EnvironmentVariables): string[] {
  const problems: string[] = [];
  for (const name of NATS_FILE_VARIABLES) {
    const file = vars[name];
    if (file === undefined) continue;
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      accessSync(file, constants.R_OK);
    } catch {
      problems.push(`${name} must name a readable file (${file} is missing or unreadable)`);
    }
  }
  if (!!vars.NATS_TLS_CERT_FILE !== !!vars.NATS_TLS_KEY_FILE) {
    problems.push('NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together');
  }
  return problems;
}

export interface ServiceConfig {
  readonly service: ServiceName;
  readonly databaseUrl: string;
  readonly dbSchema: string;
  /** The role the app's connections take (row-level security applies to it); default `<schema>_runtime`. */
  readonly dbRuntimeRole?: string;
  /** Prepared statements kept per database connection (0: parse and plan every statement each time). */
  readonly dbStatementCacheSize: number;
  readonly natsServers: string[];
  /** Prefix for every stream, subject and consumer name: isolates test runs on a shared server. Empty in production. */
  readonly busNamespace: string;
  readonly httpPort: number;
  readonly httpHost: string;
  /** Internal metrics listener (`METRICS_PORT`, `METRICS_HOST` default 127.0.0.1); unset: none. */
  readonly metricsPort?: number;
  readonly metricsHost: string;
  readonly logLevel: string;
  readonly outboxPollIntervalMs: number;
  /** How long the relay leaves the rows a transaction wrote to the process that committed them (0: off). */
  readonly outboxHandoffMs: number;
  readonly outboxBatchSize: number;
  /** Per consumer: lanes handled in parallel (a referral always on the same lane, so in order). */
  readonly consumerLanes: number;
  /** Per lane: at most this many already-delivered messages are handled in one transaction. */
  readonly consumerBatchSize: number;
  readonly shutdownGraceMs: number;
  /** Readiness turns red when more outbox rows than this are waiting. */
  readonly outboxBacklogReadyLimit: number;
  /** JetStream replicas of the streams (1 on one server, 3 in a cluster). */
  readonly streamReplicas: number;
  /** Who creates the streams and durables: the service at boot (`self`) or the admin step (`verify`). */
  readonly busProvisioning: BusProvisioning;
  /** nkey seed file of this service's NATS user (unset: no authentication, as in dev/CI). */
  readonly natsNkeySeedFile?: string;
  /** TLS to NATS: CA file, and an optional client certificate + key. */
  readonly natsTlsCaFile?: string;
  readonly natsTlsCertFile?: string;
  readonly natsTlsKeyFile?: string;
}

export class ConfigurationError extends Error {}

/**
 * An integer environment variable in [min, max], or `fallback` when unset or blank; anything else is a
 * ConfigurationError naming the variable (for settings read outside `loadServiceConfig`).
 */
export function integerFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`${name} must be an integer between ${min} and ${max} (got ${raw})`);
  }
  return value;
}

/** Reads and validates the environment once at boot. */
export function loadServiceConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  // An empty variable means "not set" (Number('') would silently be 0).
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const vars = plainToInstance(EnvironmentVariables, present);
  const errors = validateSync(vars, { whitelist: false, forbidUnknownValues: false });
  const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
  if (errors.length === 0) lines.push(...natsFileProblems(vars));
  if (lines.length > 0) {
    throw new ConfigurationError(`Invalid configuration for ${service}:\n  - ${lines.join('\n  - ')}`);
  }
  return {
    service,
    databaseUrl: vars.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    dbSchema: vars.DB_SCHEMA ?? defaultSchemaOf(service),
    ...(vars.DB_RUNTIME_ROLE ? { dbRuntimeRole: vars.DB_RUNTIME_ROLE } : {}),
    dbStatementCacheSize: vars.DB_STATEMENT_CACHE_SIZE ?? 200,
    natsServers: (vars.NATS_URL ?? DEFAULT_NATS_URL).split(','),
    busNamespace: vars.BUS_NAMESPACE ?? '',
    httpPort: vars.HTTP_PORT ?? defaultPortOf(service),
    httpHost: vars.HTTP_HOST ?? '127.0.0.1',
    ...(vars.METRICS_PORT !== undefined ? { metricsPort: vars.METRICS_PORT } : {}),
    metricsHost: vars.METRICS_HOST ?? '127.0.0.1',
    logLevel: vars.LOG_LEVEL ?? 'info',
    outboxPollIntervalMs: vars.OUTBOX_POLL_INTERVAL_MS ?? 1000,
    outboxHandoffMs: vars.OUTBOX_HANDOFF_MS ?? 5000,
    outboxBatchSize: vars.OUTBOX_BATCH_SIZE ?? 200,
    // One lane until the bench measures more: site and provider places are now locked at commit in id order
    // (DeferredPlaces), so more lanes and replicas no longer deadlock on them (issue #22).
    consumerLanes: vars.CONSUMER_LANES ?? 1,
    consumerBatchSize: vars.CONSUMER_BATCH_SIZE ?? 32,
    shutdownGraceMs: vars.SHUTDOWN_GRACE_MS ?? 10000,
    outboxBacklogReadyLimit: vars.OUTBOX_BACKLOG_READY_LIMIT ?? 10000,
    streamReplicas: vars.STREAM_REPLICAS ?? 1,
    busProvisioning: vars.BUS_PROVISIONING ?? 'self',
    natsNkeySeedFile: vars.NATS_NKEY_SEED_FILE,
    natsTlsCaFile: vars.NATS_TLS_CA_FILE,
    natsTlsCertFile: vars.NATS_TLS_CERT_FILE,
    natsTlsKeyFile: vars.NATS_TLS_KEY_FILE,
  };
}

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
