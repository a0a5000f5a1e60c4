import { Module } from '@nestjs/common';
import { CONSUMERS, SERVICES } from '@app/contracts';
import { ServiceModule } from '@app/platform';
import { DATABASE } from './database';

@Module({
  imports: [
    ServiceModule.forRoot({
      service: SERVICES.opsMonitor,
      database: DATABASE,
      consumers: [
        CONSUMERS.opsMonitorReferral,
        CONSUMERS.opsMonitorGreen,
        CONSUMERS.opsMonitorEmployment,
        CONSUMERS.opsMonitorOps,
        CONSUMERS.opsMonitorDlq,
      ],
    }),
  ],
})
export class AppModule {}
