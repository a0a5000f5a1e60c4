/**
 * `npm run ops:token -- --role ops-admin [--role auditor] [--subject alice] [--ttl 3600]`: prints an ops JWT
 * signed with OPS_JWT_SECRET (the development secret outside production). Production tokens come from the
 * identity provider; with only OPS_JWT_PUBLIC_KEY configured this command cannot mint.
 */
import { parseArgs } from 'node:util';
import { loadAuthConfig, mintOpsToken, OPS_ROLES, OpsRole } from '@app/auth';

export async function opsTokenCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values } = parseArgs({
    args: argv,
    options: {
      role: { type: 'string', multiple: true },
      subject: { type: 'string', default: env.USER ? `dev-${env.USER}` : 'dev-operator' },
      ttl: { type: 'string', default: '3600' },
    },
    strict: true,
  });
  const roles = values.role ?? [];
  if (roles.length === 0) throw new Error(`--role is required (${OPS_ROLES.join(', ')})`);
  const unknown = roles.filter((r) => !OPS_ROLES.includes(r as OpsRole));
  if (unknown.length > 0)
    throw new Error(`unknown role(s) ${unknown.join(', ')}; use ${OPS_ROLES.join(', ')}`);
  const ttlSeconds = Number(values.ttl);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 86_400) {
    throw new Error('--ttl must be whole seconds between 1 and 86400');
  }
  return mintOpsToken(loadAuthConfig(env), {
    subject: values.subject,
    roles: roles as OpsRole[],
    ttlSeconds,
  });
}

if (require.main === module) {
  opsTokenCli(process.argv.slice(2)).then(
    (token) => process.stdout.write(`${token}\n`),
    (error: unknown) => {
      process.stderr.write(`ops:token: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
