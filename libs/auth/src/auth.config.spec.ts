import { ConfigurationError } from '@app/core';
import { DEV_OPS_JWT_SECRET, loadAuthConfig } from './auth.config';
import { mintOpsToken, OpsTokenVerifier } from './ops-token';

describe('auth configuration', () => {
  it('should use the development secret outside production only', () => {
    expect(loadAuthConfig({}).jwtSecret).toBe(DEV_OPS_JWT_SECRET);
    expect(() => loadAuthConfig({ NODE_ENV: 'production' })).toThrow(ConfigurationError);
    expect(loadAuthConfig({ NODE_ENV: 'production', OPS_JWT_SECRET: 's'.repeat(32) }).jwtSecret).toBe(
      's'.repeat(32),
    );
  });

  it('should name each bad variable', () => {
    expect(() => loadAuthConfig({ OPS_JWT_SECRET: 'short' })).toThrow(/OPS_JWT_SECRET/);
    expect(() => loadAuthConfig({ OPS_JWT_PUBLIC_KEY: 'not a pem' })).toThrow(/OPS_JWT_PUBLIC_KEY/);
    expect(() => loadAuthConfig({ API_KEY_ROTATION_GRACE_HOURS: '-1' })).toThrow(
      /API_KEY_ROTATION_GRACE_HOURS/,
    );
    expect(() => loadAuthConfig({ RATE_LIMIT_PER_WINDOW: 'lots' })).toThrow(/RATE_LIMIT_PER_WINDOW/);
    expect(() => loadAuthConfig({ RATE_LIMIT_IP_PER_WINDOW: '0' })).toThrow(/RATE_LIMIT_IP_PER_WINDOW/);
    expect(() => loadAuthConfig({ RATE_LIMIT_WINDOW_MS: '10' })).toThrow(/RATE_LIMIT_WINDOW_MS/);
    expect(loadAuthConfig({})).toMatchObject({
      rateLimit: 600,
      ipRateLimit: 1_200,
      rateLimitWindowMs: 60_000,
    });
    expect(loadAuthConfig({ RATE_LIMIT_IP_PER_WINDOW: '5000' }).ipRateLimit).toBe(5_000);
    expect(loadAuthConfig({ API_KEY_ROTATION_GRACE_HOURS: '48' }).rotationGraceHours).toBe(48);
    expect(() => loadAuthConfig({ API_KEY_CACHE_TTL_MS: '600000' })).toThrow(/API_KEY_CACHE_TTL_MS/);
    expect(() => loadAuthConfig({ API_KEY_CACHE_SIZE: '0' })).toThrow(/API_KEY_CACHE_SIZE/);
    expect(loadAuthConfig({})).toMatchObject({ apiKeyCacheTtlMs: 5_000, apiKeyCacheSize: 1_000 });
    expect(loadAuthConfig({ API_KEY_CACHE_TTL_MS: '0' }).apiKeyCacheTtlMs).toBe(0);
  });
});

describe('ops tokens', () => {
  const config = loadAuthConfig({});
  const verifier = new OpsTokenVerifier(config);

  it('should accept a token it minted with its roles, and drop unknown roles', async () => {
    const token = await mintOpsToken(config, { subject: 'alice', roles: ['ops-admin', 'auditor'] });
    await expect(verifier.verify(token)).resolves.toEqual({
      type: 'ops',
      subject: 'alice',
      roles: ['ops-admin', 'auditor'],
    });
  });

  it('should refuse other secrets, issuers, audiences, expired tokens, no roles and alg=none', async () => {
    const others = [
      await mintOpsToken(
        { ...config, jwtSecret: `${DEV_OPS_JWT_SECRET}!` },
        { subject: 'm', roles: ['ops-admin'] },
      ),
      await mintOpsToken({ ...config, jwtIssuer: 'elsewhere' }, { subject: 'm', roles: ['ops-admin'] }),
      await mintOpsToken({ ...config, jwtAudience: 'elsewhere' }, { subject: 'm', roles: ['ops-admin'] }),
      await mintOpsToken(config, { subject: 'm', roles: ['ops-admin'], ttlSeconds: -1 }),
      await mintOpsToken(config, { subject: 'm', roles: [] }),
    ];
    const [, payload] = others[0].split('.');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    for (const token of [...others, unsigned, 'not.a.jwt', '']) {
      await expect(verifier.verify(token)).resolves.toBeUndefined();
    }
  });
});
