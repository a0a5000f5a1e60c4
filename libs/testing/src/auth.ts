import { loadAuthConfig, mintOpsToken, OpsRole } from '@app/auth';

/** `Authorization: Bearer <dev ops JWT>` for tests (the development secret, or OPS_JWT_SECRET when set). */
export async function opsHeaders(role: OpsRole = 'ops-admin'): Promise<{ authorization: string }> {
  const token = await mintOpsToken(loadAuthConfig(), {
    subject: `test-${role}`,
    roles: [role],
    ttlSeconds: 3600,
  });
  return { authorization: `Bearer ${token}` };
}
