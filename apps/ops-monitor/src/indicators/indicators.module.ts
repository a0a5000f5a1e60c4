import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { ReadModelModule } from '../read-model.module';
import { IndicatorEventsController } from './indicator-events.controller';
import { IndicatorsController } from './indicators.controller';
import { IndicatorsService } from './indicators.service';
import { ReportReminderSweeper } from './report-reminder.sweeper';

@Module({
  imports: [ReadModelModule, DivisionsModule],
  controllers: [IndicatorsController, IndicatorEventsController],
  providers: [IndicatorsService, ReportReminderSweeper],
})
export class IndicatorsModule {}
