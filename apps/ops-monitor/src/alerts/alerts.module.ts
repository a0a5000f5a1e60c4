import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model.module';
import { AlertEventsController } from './alert-events.controller';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

@Module({
  imports: [ReadModelModule],
  controllers: [AlertsController, AlertEventsController],
  providers: [AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}
