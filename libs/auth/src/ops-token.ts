import { createPublicKey, KeyObject, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { AuthConfig, DEFAULT_OPS_JWT_TTL_SECONDS } from './auth.config';
import { OPS_ROLES, OpsPrincipal, OpsRole } from './principal';

export interface MintOptions {
  readonly subject: string;
  readonly roles: readonly OpsRole[];
  /** Lifetime in seconds (default 15 min); verification refuses more than `jwtMaxLifetimeSeconds`. */
  readonly ttlSeconds?: number;
  /** The token id (default a random UUID): what `ops:token -- --revoke` names. */
  readonly jti?: string;
}

/** Signs an ops JWT with the HS256 secret (dev CLI and tests; production tokens come from the identity provider). */
export async function mintOpsToken(config: AuthConfig, options: MintOptions): Promise<string> {
  if (!config.jwtSecret) throw new Error('minting needs OPS_JWT_SECRET (an HS256 secret)');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: [...options.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .setJti(options.jti ?? randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (options.ttlSeconds ?? DEFAULT_OPS_JWT_TTL_SECONDS))
    .sign(new TextEncoder().encode(config.jwtSecret));
}

/** Is this token id revoked (or the revocation list unknown)? */
export type RevocationCheck = (jti: string) => boolean;

/**
 * Verifies signature, algorithm, iss, aud, exp, that it carries `jti` and `iat` and lives at most
 * `jwtMaxLifetimeSeconds`, and that its `jti` is not revoked; undefined for anything else (never throws on bad
 * input).
 */
export class OpsTokenVerifier {
  private readonly key: Uint8Array | KeyObject;
  private readonly algorithms: string[];

  constructor(
    private readonly config: AuthConfig,
    private readonly isRevoked: RevocationCheck = () => false,
  ) {
    if (config.jwtPublicKey) {
      this.key = createPublicKey(config.jwtPublicKey);
      this.algorithms = [config.jwtAlgorithm];
    } else {
      this.key = new TextEncoder().encode(config.jwtSecret);
      this.algorithms = ['HS256'];
    }
  }

  async verify(token: string): Promise<OpsPrincipal | undefined> {
    if (token.length > 8192) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: this.algorithms,
        issuer: this.config.jwtIssuer,
        audience: this.config.jwtAudience,
        requiredClaims: ['exp', 'iat', 'sub', 'jti'],
        maxTokenAge: this.config.jwtMaxLifetimeSeconds,
      });
      if (typeof payload.jti !== 'string' || payload.jti === '') return undefined;
      if (payload.exp! - payload.iat! > this.config.jwtMaxLifetimeSeconds) return undefined;
      if (this.isRevoked(payload.jti)) return undefined;
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is OpsRole => OPS_ROLES.includes(r as OpsRole))
        : [];
      if (!payload.sub || roles.length === 0) return undefined;
      return { type: 'ops', subject: payload.sub, roles };
    } catch {
      return undefined;
    }
  }
}
