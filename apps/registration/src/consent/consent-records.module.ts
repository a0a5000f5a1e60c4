import { Module } from '@nestjs/common';
import { ConsentRepository } from './consent.repository';

/**
 * The consent records (the `consent` table), for the consent gate and the channels that bring consents. Apart
 * from ConsentModule, which captures and withdraws consents and itself needs the registrations feature.
 */
@Module({
  providers: [ConsentRepository],
  exports: [ConsentRepository],
})
export class ConsentRecordsModule {}
