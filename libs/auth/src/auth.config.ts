import { ConfigurationError, integerFromEnv } from '@app/core';

/** Authentication and abuse-limit settings, read and validated once at boot. */
export interface AuthConfig {
  /** HS256 secret of ops/admin JWTs (`OPS_JWT_SECRET`), unless a public key is configured. */
  readonly jwtSecret?: string;
  /** PEM public key (SPKI) of ops/admin JWTs signed RS256/ES256/EdDSA (`OPS_JWT_PUBLIC_KEY`). */
  readonly jwtPublicKey?: string;
  /** Algorithm of `jwtPublicKey` (`OPS_JWT_ALGORITHM`, default RS256). */
  readonly jwtAlgorithm: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /**
   * Longest lifetime (exp − iat) of an ops JWT that is accepted (`OPS_JWT_MAX_LIFETIME_SECONDS`, default 3600,
   * at most 43200): a longer-lived token is refused at verification whatever its signature.
   */
  readonly jwtMaxLifetimeSeconds: number;
  /** Schema of the shared ops-token revocation list (`OPS_REVOCATION_SCHEMA`, default `ops_auth`). */
  readonly revocationSchema: string;
  /** How often each process reloads the revocation list (`OPS_REVOCATION_POLL_MS`, default 2000). */
  readonly revocationPollMs: number;
  /** How long a rotated key keeps working (`API_KEY_ROTATION_GRACE_HOURS`, default 24). */
  readonly rotationGraceHours: number;
  /**
   * Requests per authenticated principal per window, all routes and replicas of the service together
   * (`RATE_LIMIT_PER_WINDOW`, default 600).
   */
  readonly rateLimit: number;
  /**
   * Requests per client IP per window, counted before any credential is looked up, all routes and replicas
   * together (`RATE_LIMIT_IP_PER_WINDOW`, default 1200).
   */
  readonly ipRateLimit: number;
  /** The rate-limit window (`RATE_LIMIT_WINDOW_MS`, default 60000). */
  readonly rateLimitWindowMs: number;
  /**
   * How long a verified API key is trusted without asking the database (`API_KEY_CACHE_TTL_MS`, default 5000;
   * 0 = no cache): another replica sees a revocation within this time, this process at once.
   */
  readonly apiKeyCacheTtlMs: number;
  /** Verified API keys kept per process, least recently used out (`API_KEY_CACHE_SIZE`, default 1000). */
  readonly apiKeyCacheSize: number;
}

/** Fixed development secret: refused in production, like the PII development keys. */
export const DEV_OPS_JWT_SECRET = 'referral-bus development ops JWT secret - never in production';
export const DEFAULT_JWT_ISSUER = 'referral-bus-ops';
export const DEFAULT_JWT_AUDIENCE = 'referral-bus';
/** Default lifetime of a minted ops JWT (15 minutes). */
export const DEFAULT_OPS_JWT_TTL_SECONDS = 900;
/** No configuration accepts an ops JWT living longer than 12 hours (a 24 h token is always refused). */
export const MAX_OPS_JWT_LIFETIME_SECONDS = 43_200;

export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const production = env.NODE_ENV === 'production';
  const secret = env.OPS_JWT_SECRET?.trim() || undefined;
  const publicKey = env.OPS_JWT_PUBLIC_KEY?.trim() || undefined;
  if (secret && publicKey) {
    throw new ConfigurationError('Set OPS_JWT_SECRET or OPS_JWT_PUBLIC_KEY, not both');
  }
  if (secret && Buffer.byteLength(secret) < 32) {
    throw new ConfigurationError('OPS_JWT_SECRET must be at least 32 bytes');
  }
  if (publicKey && !publicKey.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new ConfigurationError('OPS_JWT_PUBLIC_KEY must be a PEM (SPKI) public key');
  }
  if (!secret && !publicKey && production) {
    throw new ConfigurationError('OPS_JWT_SECRET or OPS_JWT_PUBLIC_KEY is required in production');
  }
  const algorithm = env.OPS_JWT_ALGORITHM?.trim() || 'RS256';
  if (!['RS256', 'PS256', 'ES256', 'EdDSA'].includes(algorithm)) {
    throw new ConfigurationError('OPS_JWT_ALGORITHM must be RS256, PS256, ES256 or EdDSA');
  }
  const revocationSchema = env.OPS_REVOCATION_SCHEMA?.trim() || 'ops_auth';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(revocationSchema)) {
    throw new ConfigurationError('OPS_REVOCATION_SCHEMA must be a lower-case SQL identifier');
  }
  return {
    jwtSecret: publicKey ? undefined : (secret ?? DEV_OPS_JWT_SECRET),
    jwtPublicKey: publicKey,
    jwtAlgorithm: algorithm,
    jwtIssuer: env.OPS_JWT_ISSUER?.trim() || DEFAULT_JWT_ISSUER,
    jwtAudience: env.OPS_JWT_AUDIENCE?.trim() || DEFAULT_JWT_AUDIENCE,
    jwtMaxLifetimeSeconds: integerFromEnv(
      env,
      'OPS_JWT_MAX_LIFETIME_SECONDS',
      3600,
      60,
      MAX_OPS_JWT_LIFETIME_SECONDS,
    ),
    revocationSchema,
    revocationPollMs: integerFromEnv(env, 'OPS_REVOCATION_POLL_MS', 2000, 100, 60_000),
    rotationGraceHours: integerFromEnv(env, 'API_KEY_ROTATION_GRACE_HOURS', 24, 0, 24 * 30),
    rateLimit: integerFromEnv(env, 'RATE_LIMIT_PER_WINDOW', 600, 1, 10_000_000),
    ipRateLimit: integerFromEnv(env, 'RATE_LIMIT_IP_PER_WINDOW', 1_200, 1, 10_000_000),
    rateLimitWindowMs: integerFromEnv(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 100, 3_600_000),
    apiKeyCacheTtlMs: integerFromEnv(env, 'API_KEY_CACHE_TTL_MS', 5_000, 0, 60_000),
    apiKeyCacheSize: integerFromEnv(env, 'API_KEY_CACHE_SIZE', 1_000, 1, 100_000),
  };
}

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
