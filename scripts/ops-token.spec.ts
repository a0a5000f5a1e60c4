import { SignJWT } from 'jose';
import { DEV_OPS_JWT_SECRET, loadAuthConfig, mintOpsToken, OpsTokenVerifier } from '@app/auth';
import { opsTokenCli, tokenId } from './ops-token';

const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;

describe('npm run ops:token', () => {
  it('should mint a token the services accept, with the roles asked for', async () => {
    const token = await opsTokenCli(['--role', 'ops-admin', '--role', 'auditor', '--subject', 'alice'], {});
    await expect(new OpsTokenVerifier(loadAuthConfig({})).verify(token)).resolves.toEqual({
      type: 'ops',
      subject: 'alice',
      roles: ['ops-admin', 'auditor'],
    });
  });

  it('should give each token its own jti and a 15-minute default lifetime (issue 14)', async () => {
    const a = await opsTokenCli(['--role', 'ops-viewer'], {});
    const b = await opsTokenCli(['--role', 'ops-viewer'], {});
    const { jti, iat, exp } = claims(a) as { jti: string; iat: number; exp: number };
    expect(jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(tokenId(a)).toBe(jti);
    expect(tokenId(b)).not.toBe(jti);
    expect(exp - iat).toBe(900);
  });

  it('should refuse at verification a token living longer than the maximum, one without jti, and a revoked one', async () => {
    const config = loadAuthConfig({});
    const verifier = new OpsTokenVerifier(config);
    const key = new TextEncoder().encode(DEV_OPS_JWT_SECRET);
    const now = Math.floor(Date.now() / 1000);
    const token = (lifetime: number, jti?: string) => {
      const jwt = new SignJWT({ roles: ['ops-admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('mallory')
        .setIssuer(config.jwtIssuer)
        .setAudience(config.jwtAudience)
        .setIssuedAt(now)
        .setExpirationTime(now + lifetime);
      return (jti ? jwt.setJti(jti) : jwt).sign(key);
    };
    // A correctly signed 24 h token is refused; so is one just over the configured maximum (1 h by default).
    expect(await verifier.verify(await token(86_400, 'j-day'))).toBeUndefined();
    expect(await verifier.verify(await token(3_601, 'j-long'))).toBeUndefined();
    expect(await verifier.verify(await token(3_600, 'j-ok'))).toMatchObject({ subject: 'mallory' });
    expect(await verifier.verify(await token(600))).toBeUndefined();
    // The maximum is configurable, but never to a day.
    expect(() => loadAuthConfig({ OPS_JWT_MAX_LIFETIME_SECONDS: '86400' })).toThrow(
      /OPS_JWT_MAX_LIFETIME_SECONDS/,
    );
    const revoked = new OpsTokenVerifier(config, (jti) => jti === 'j-gone');
    expect(
      await revoked.verify(await mintOpsToken(config, { subject: 'm', roles: ['auditor'], jti: 'j-gone' })),
    ).toBeUndefined();
    expect(
      await revoked.verify(await mintOpsToken(config, { subject: 'm', roles: ['auditor'] })),
    ).toBeDefined();
    await expect(opsTokenCli(['--role', 'ops-viewer', '--ttl', '3601'], {})).rejects.toThrow(/--ttl/);
    await expect(
      opsTokenCli(['--revoke', 'not a jti!'], { DATABASE_URL: 'postgres://127.0.0.1:1/x' }),
    ).rejects.toThrow();
  });

  it('should refuse missing or unknown roles and silly lifetimes', async () => {
    await expect(opsTokenCli([], {})).rejects.toThrow(/--role is required/);
    await expect(opsTokenCli(['--role', 'root'], {})).rejects.toThrow(/unknown role/);
    await expect(opsTokenCli(['--role', 'ops-viewer', '--ttl', '0'], {})).rejects.toThrow(/--ttl/);
  });

  it('should not mint with only a public key configured', async () => {
    const pem =
      '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----';
    await expect(
      opsTokenCli(['--role', 'ops-viewer'], { OPS_JWT_PUBLIC_KEY: pem, OPS_JWT_ALGORITHM: 'EdDSA' }),
    ).rejects.toThrow(/OPS_JWT_SECRET/);
  });
});
