import { hashPassword, verifyNothing, verifyPassword } from './staff-password';
import { demoStaffPassword } from './seed';

describe('staff passwords', () => {
  it('should hash with scrypt N=2^15 r=8 p=1 and a 16-byte salt, and verify only the same password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    const [scheme, n, r, p, salt, digest] = hash.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '32768', '8', '1']);
    expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(digest, 'base64url')).toHaveLength(32);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
  });

  it('should salt every hash', async () => {
    expect(await hashPassword('same password twice')).not.toBe(await hashPassword('same password twice'));
  });

  it('should refuse malformed or over-expensive stored hashes without verifying', async () => {
    const hash = await hashPassword('correct horse battery staple');
    const parts = hash.split('$');
    expect(await verifyPassword('x', 'bcrypt$foo')).toBe(false);
    expect(
      await verifyPassword('correct horse battery staple', ['scrypt', 2 ** 24, ...parts.slice(2)].join('$')),
    ).toBe(false);
    expect(
      await verifyPassword('correct horse battery staple', ['scrypt', 1000, ...parts.slice(2)].join('$')),
    ).toBe(false);
  });

  it('should spend a verify on an unknown username and answer false', async () => {
    expect(await verifyNothing('anything at all')).toBe(false);
  });

  it('should derive demo passwords deterministically, long enough for the account API', () => {
    expect(demoStaffPassword('cc-610902')).toMatch(/^demo-[0-9a-f]{24}$/);
    expect(demoStaffPassword('cc-610902')).toBe(demoStaffPassword('cc-610902'));
    expect(demoStaffPassword('cc-610902')).not.toBe(demoStaffPassword('cc-610903'));
  });
});
