import { Module } from '@nestjs/common';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { ServiceModule } from '@app/platform';
import { DATABASE } from './database';

@Module({
  imports: [
    ServiceModule.forRoot({
      service: SERVICES.employmentReferral,
      database: DATABASE,
      consumers: [
        CONSUMERS.employmentReadiness,
        CONSUMERS.employmentRelapse,
        CONSUMERS.employmentConsentWithdrawn,
      ],
    }),
  ],
})
export class AppModule {}
