/**
 * `npm run ops:token -- --role ops-admin [--role auditor] [--subject alice] [--ttl 900]`: prints an ops JWT
 * signed with OPS_JWT_SECRET (the development secret outside production), with a random `jti` (printed on
 * stderr) and a lifetime of 15 minutes unless `--ttl` says otherwise (at most OPS_JWT_MAX_LIFETIME_SECONDS).
 * Production tokens come from the identity provider; with only OPS_JWT_PUBLIC_KEY configured this command
 * cannot mint.
 *
 * `npm run ops:token -- --revoke <jti> [--subject alice]`: adds the token id to the revocation list every app
 * reloads every OPS_REVOCATION_POLL_MS (in DATABASE_URL, schema OPS_REVOCATION_SCHEMA): the token answers 401
 * everywhere within seconds. Works for identity-provider tokens too (any token with that `jti`).
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { DEFAULT_DATABASE_URL } from '@app/core';
import {
  DEFAULT_OPS_JWT_TTL_SECONDS,
  loadAuthConfig,
  MAX_OPS_JWT_LIFETIME_SECONDS,
  mintOpsToken,
  OPS_ROLES,
  OpsRole,
  revokeOpsToken,
} from '@app/auth';

export async function opsTokenCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string', multiple: true },
      subject: { type: 'string', default: env.USER ? `dev-${env.USER}` : 'dev-operator' },
      ttl: { type: 'string', default: String(DEFAULT_OPS_JWT_TTL_SECONDS) },
      revoke: { type: 'string' },
    },
    strict: true,
  });
  const config = loadAuthConfig(env);
  if (values.revoke !== undefined) {
    if (values.role) throw new Error('--revoke takes no --role');
    const client = new Client({ connectionString: env.DATABASE_URL ?? DEFAULT_DATABASE_URL });
    await client.connect();
    try {
      // Kept as long as any accepted token can live, then pruned.
      const until = new Date(Date.now() + MAX_OPS_JWT_LIFETIME_SECONDS * 1000);
      await revokeOpsToken(client, config.revocationSchema, values.revoke, until, values.subject);
    } finally {
      await client.end();
    }
    return `revoked ${values.revoke}`;
  }
  const roles = values.role ?? [];
  if (roles.length === 0) throw new Error(`--role is required (${OPS_ROLES.join(', ')})`);
  const unknown = roles.filter((r) => !OPS_ROLES.includes(r as OpsRole));
  if (unknown.length > 0)
    throw new Error(`unknown role(s) ${unknown.join(', ')}; use ${OPS_ROLES.join(', ')}`);
  const ttlSeconds = Number(values.ttl);
  const max = config.jwtMaxLifetimeSeconds;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > max) {
    throw new Error(`--ttl must be whole seconds between 1 and ${max} (OPS_JWT_MAX_LIFETIME_SECONDS)`);
  }
  return mintOpsToken(config, {
    subject: values.subject,
    roles: roles as OpsRole[],
    ttlSeconds,
  });
}

/** The `jti` of a token (unverified: only to tell the operator what to revoke). */
export function tokenId(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      jti?: unknown;
    };
    return typeof payload.jti === 'string' ? payload.jti : undefined;
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  opsTokenCli(process.argv.slice(2)).then(
    (output) => {
      process.stdout.write(`${output}\n`);
      const jti = tokenId(output);
      if (jti) process.stderr.write(`jti ${jti} (revoke with: npm run ops:token -- --revoke ${jti})\n`);
    },
    (error: unknown) => {
      process.stderr.write(`ops:token: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
