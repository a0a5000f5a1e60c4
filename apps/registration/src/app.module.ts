import { Module } from '@nestjs/common';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { ServiceModule } from '@app/platform';
import { DATABASE } from './database';

@Module({
  imports: [
    ServiceModule.forRoot({
      service: SERVICES.registration,
      database: DATABASE,
      consumers: [CONSUMERS.registrationAssessed],
    }),
  ],
})
export class AppModule {}
