import { Module } from '@nestjs/common';
import { AlertsModule } from '../alerts/alerts.module';
import { ReadModelModule } from '../read-model.module';
import { ReadModelRebuildService } from './read-model-rebuild.service';
import { TimelineEventsController } from './timeline-events.controller';
import { TimelineController } from './timeline.controller';
import { TimelineService } from './timeline.service';

@Module({
  imports: [ReadModelModule, AlertsModule],
  controllers: [TimelineController, TimelineEventsController],
  providers: [TimelineService, ReadModelRebuildService],
})
export class TimelineModule {}
