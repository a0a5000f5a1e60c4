import { randomBytes } from 'node:crypto';
import { referralSealContext } from '@app/contracts';
import { SecurityException } from '@app/core';
import { FieldCipher, SealError } from './field-cipher';
import { keyringFromEnv, KeyringError } from './keyring';

const key = () => randomBytes(32).toString('base64');

describe(FieldCipher.name, () => {
  const sut = new FieldCipher(keyringFromEnv({ PII_KEYS: `k1:${key()}`, PII_INDEX_KEY: key() }));

  it('should open what it sealed, and never show the plaintext in the seal', () => {
    const sealed = sut.seal('张三 13800138000', 'patient.name');
    expect(JSON.stringify(sealed)).not.toContain('张三');
    expect(sut.open(sealed, 'patient.name')).toBe('张三 13800138000');
  });

  it('should give a different ciphertext each time for the same value', () => {
    // A value long enough that two seals under different IVs cannot collide by chance (one byte did, 1 in 256).
    const value = '张三 13800138000 陕西省安康市';
    const [a, b] = [sut.seal(value, 'c'), sut.seal(value, 'c')];
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
  });

  it('should refuse a seal opened under another context or tampered with', () => {
    const sealed = sut.seal('secret', 'patient.phone');
    expect(() => sut.open(sealed, 'patient.name')).toThrow(SealError);
    const tampered = { ...sealed, ciphertext: Buffer.from('other').toString('base64url') };
    expect(() => sut.open(tampered, 'patient.phone')).toThrow(SealError);
  });

  it('should refuse, as a security exception, a block moved to another referral or another field', () => {
    const [a, b] = ['0b9c6a2e-1c57-4f55-9a55-3d8f0a2b9c02', '5c8e2f1a-0d3b-4e7c-9a6f-2b1c3d4e5f60'];
    const sealed = sut.sealJson({ name: '张三' }, referralSealContext('siteContact', a));
    expect(sut.openReceivedJson(sealed, referralSealContext('siteContact', a), 'X_SEAL', 'contact')).toEqual({
      name: '张三',
    });
    for (const context of [referralSealContext('siteContact', b), referralSealContext('patient', a)]) {
      expect(() => sut.openReceivedJson(sealed, context, 'X_SEAL', 'contact')).toThrow(SecurityException);
      expect(() => sut.openReceivedJson(sealed, context, 'X_SEAL', 'contact')).toThrow(
        /moved from another referral or field/,
      );
    }
    expect(referralSealContext('patient', a)).toBe(`referral.patient.v2;referral=${a};field=sealedPatient`);
  });

  it('should open seals of a retired key while sealing with the active one', () => {
    const old = key();
    const before = new FieldCipher(keyringFromEnv({ PII_KEYS: `old:${old}`, PII_INDEX_KEY: key() }));
    const sealed = before.seal('v', 'c');
    const after = new FieldCipher(
      keyringFromEnv({ PII_KEYS: `new:${key()},old:${old}`, PII_ACTIVE_KEY: 'new', PII_INDEX_KEY: key() }),
    );
    expect(after.open(sealed, 'c')).toBe('v');
    expect(after.isStale(sealed)).toBe(true);
    expect(after.seal('v', 'c').keyId).toBe('new');
  });

  it('should compute a stable blind index that depends on the key and the context', () => {
    const index = sut.blindIndex('110101199003074514', 'id-number');
    expect(index).toMatch(/^[0-9a-f]{64}$/);
    expect(sut.blindIndex('110101199003074514', 'id-number')).toBe(index);
    expect(sut.blindIndex('110101199003074514', 'phone')).not.toBe(index);
    const other = new FieldCipher(keyringFromEnv({ PII_KEYS: `k1:${key()}`, PII_INDEX_KEY: key() }));
    expect(other.blindIndex('110101199003074514', 'id-number')).not.toBe(index);
  });
});

describe('keyringFromEnv', () => {
  it('should require keys in production', () => {
    expect(() => keyringFromEnv({ NODE_ENV: 'production' })).toThrow(KeyringError);
  });

  it('should refuse keys of the wrong size and an active id that is not listed', () => {
    expect(() => keyringFromEnv({ PII_KEYS: 'k1:c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(() => keyringFromEnv({ PII_KEYS: `k1:${key()}`, PII_ACTIVE_KEY: 'k2' })).toThrow(
      /not in PII_KEYS/,
    );
  });

  it('should fall back to development keys outside production', () => {
    expect(keyringFromEnv({}).activeKeyId).toBe('dev1');
  });
});
