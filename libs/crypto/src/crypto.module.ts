import { Global, Module } from '@nestjs/common';
import { FieldCipher } from './field-cipher';
import { keyringFromEnv } from './keyring';

/** Provides FieldCipher with the keys from the environment (validated at boot). */
@Global()
@Module({
  providers: [{ provide: FieldCipher, useFactory: () => new FieldCipher(keyringFromEnv()) }],
  exports: [FieldCipher],
})
export class CryptoModule {}
