import { Module } from '@nestjs/common';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { ServiceModule } from '@app/platform';
import { DATABASE } from './database';

@Module({
  imports: [
    ServiceModule.forRoot({
      service: SERVICES.hospitalIntake,
      database: DATABASE,
      consumers: [
        CONSUMERS.hospitalIntakeRegistered,
        CONSUMERS.hospitalIntakeClosed,
        CONSUMERS.hospitalIntakeGreen,
      ],
    }),
  ],
})
export class AppModule {}
