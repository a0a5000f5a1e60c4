import { IsBase64, IsIn, IsString, Length } from 'class-validator';

/**
 * A value sealed with AES-256-GCM for one receiving service. PII never crosses the bus in clear:
 * events that must carry it carry this.
 */
export class EncryptedFieldDto {
  @IsIn(['A256GCM'])
  alg: 'A256GCM';

  /** Which key sealed it, so keys can rotate. */
  @IsString()
  @Length(1, 64)
  keyId: string;

  @IsBase64({ urlSafe: true })
  @Length(16, 16)
  iv: string;

  @IsBase64({ urlSafe: true })
  @Length(22, 22)
  tag: string;

  @IsBase64({ urlSafe: true })
  @Length(1, 65536)
  ciphertext: string;
}
