import { loadAuthConfig, OpsTokenVerifier } from '@app/auth';
import { opsTokenCli } from './ops-token';

describe('npm run ops:token', () => {
  it('should mint a token the services accept, with the roles asked for', async () => {
    const token = await opsTokenCli(['--role', 'ops-admin', '--role', 'auditor', '--subject', 'alice'], {});
    await expect(new OpsTokenVerifier(loadAuthConfig({})).verify(token)).resolves.toEqual({
      type: 'ops',
      subject: 'alice',
      roles: ['ops-admin', 'auditor'],
    });
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
