import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { EncryptedFieldDto } from '@app/contracts';
import { SecurityException } from '@app/core';
import { Keyring } from './keyring';

export class SealError extends Error {}

/**
 * AES-256-GCM per field, with the key id stored beside the ciphertext so keys can rotate, and associated
 * data binding a seal to its purpose (a seal made for `patient.name` cannot be replayed as `patient.phone`).
 */
export class FieldCipher {
  constructor(private readonly keyring: Keyring) {}

  seal(plaintext: string, context: string): EncryptedFieldDto {
    const iv = randomBytes(12);
    const key = this.keyring.keys.get(this.keyring.activeKeyId)!;
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      alg: 'A256GCM',
      keyId: this.keyring.activeKeyId,
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
    };
  }

  open(sealed: EncryptedFieldDto, context: string): string {
    const key = this.keyring.keys.get(sealed.keyId);
    if (!key) throw new SealError(`unknown key ${sealed.keyId}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SealError('the sealed value does not open with its key and context');
    }
  }

  /** JSON helpers for sealing a whole object (e.g. the patient block carried to registration). */
  sealJson(value: unknown, context: string): EncryptedFieldDto {
    return this.seal(JSON.stringify(value), context);
  }

  openJson<T>(sealed: EncryptedFieldDto, context: string): T {
    return JSON.parse(this.open(sealed, context)) as T;
  }

  /**
   * openJson for a block received from another service: one that does not open (tampered with, or moved from
   * another referral or field) is refused as a SecurityException with `code`, so the event carrying it is
   * dead-lettered with a security alert and nothing of it is applied.
   */
  openReceivedJson<T>(sealed: EncryptedFieldDto, context: string, code: string, what: string): T {
    try {
      return this.openJson<T>(sealed, context);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new SecurityException(
        code,
        `${what} does not open: tampered with, sealed with an unknown key, or moved from another referral or field`,
      );
    }
  }

  /** Keyed hash for equality lookups (blind index), hex. Normalise the input before hashing. */
  blindIndex(value: string, context: string): string {
    return createHmac('sha256', this.keyring.indexKey)
      .update(`${context}\u0000${value}`, 'utf8')
      .digest('hex');
  }

  /** Whether a seal was made with a key other than the active one (re-seal it on the next write). */
  isStale(sealed: EncryptedFieldDto): boolean {
    return sealed.keyId !== this.keyring.activeKeyId;
  }
}
