import { createPublicKey, KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { AuthConfig } from './auth.config';
import { OPS_ROLES, OpsPrincipal, OpsRole } from './principal';

export interface MintOptions {
  readonly subject: string;
  readonly roles: readonly OpsRole[];
  /** Lifetime in seconds (default 1 h). */
  readonly ttlSeconds?: number;
}

/** Signs an ops JWT with the HS256 secret (dev CLI and tests; production tokens come from the identity provider). */
export async function mintOpsToken(config: AuthConfig, options: MintOptions): Promise<string> {
  if (!config.jwtSecret) throw new Error('minting needs OPS_JWT_SECRET (an HS256 secret)');
  return new SignJWT({ roles: [...options.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (options.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(config.jwtSecret));
}

/** Verifies signature, algorithm, iss, aud and exp; undefined for anything else (never throws on bad input). */
export class OpsTokenVerifier {
  private readonly key: Uint8Array | KeyObject;
  private readonly algorithms: string[];

  constructor(private readonly config: AuthConfig) {
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
        requiredClaims: ['exp', 'sub'],
      });
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
