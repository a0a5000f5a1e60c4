import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  certificateNeedsRenewal,
  natsSecurityEnv,
  parseStartArgs,
  unauthenticatedBusWarning,
} from './local-nats-security';
import { childEnv } from './start';

describe('npm start NATS security (pure parts)', () => {
  const security = {
    dir: '/repo/.local/nats-auth',
    configFile: '/repo/.local/nats-auth/server.conf',
    caFile: '/repo/.local/nats-auth/tls/ca.pem',
    keysDir: '/repo/.local/nats-auth/keys',
  };

  it('should be secured unless --insecure-nats is given, and refuse any other argument', () => {
    expect(parseStartArgs([])).toEqual({ insecureNats: false });
    expect(parseStartArgs(['--insecure-nats'])).toEqual({ insecureNats: true });
    expect(() => parseStartArgs(['--insecure'])).toThrow(/unknown argument --insecure/);
  });

  it('should give each app its own seed and the local CA', () => {
    expect(natsSecurityEnv(security, 'rehab-site')).toEqual({
      NATS_NKEY_SEED_FILE: '/repo/.local/nats-auth/keys/rehab-site.nk',
      NATS_TLS_CA_FILE: '/repo/.local/nats-auth/tls/ca.pem',
      BUS_PROVISIONING: 'verify',
    });
    const env = childEnv(
      { NATS_NKEY_SEED_FILE: '/elsewhere.nk' },
      { name: 'registration', port: 3002 },
      { databaseUrl: 'postgres://x@127.0.0.1/db', natsUrl: 'nats://127.0.0.1:4222', natsSecurity: security },
    );
    expect(env).toMatchObject({
      NATS_NKEY_SEED_FILE: '/repo/.local/nats-auth/keys/registration.nk',
      NATS_TLS_CA_FILE: '/repo/.local/nats-auth/tls/ca.pem',
    });
  });

  it('should say loudly where the unauthenticated bus is and why', () => {
    const warning = unauthenticatedBusWarning('127.0.0.1:4222', 'It was already running.');
    expect(warning).toContain('WARNING: THE BUS IS UNAUTHENTICATED: NATS at 127.0.0.1:4222');
    expect(warning).toContain('It was already running.');
  });

  it('should renew a certificate that is missing or not a certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cert-'));
    try {
      expect(certificateNeedsRenewal(join(dir, 'absent.pem'))).toBe(true);
      writeFileSync(join(dir, 'bad.pem'), 'not a certificate');
      expect(certificateNeedsRenewal(join(dir, 'bad.pem'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
