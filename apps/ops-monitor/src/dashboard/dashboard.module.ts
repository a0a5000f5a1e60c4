import { Module } from '@nestjs/common';
import { BusHealthService } from '../bus/bus-health.service';
import { ReadModelGaugeSource } from '../metrics/gauge-source';
import { ReadModelModule } from '../read-model.module';
import { StuckModule } from '../stuck/stuck.module';
import { DashboardPageController } from './dashboard-page.controller';
import { DashboardController } from './dashboard.controller';
import { DashboardService } from './dashboard.service';

@Module({
  imports: [ReadModelModule, StuckModule],
  controllers: [DashboardController, DashboardPageController],
  providers: [DashboardService, BusHealthService, ReadModelGaugeSource],
})
export class DashboardModule {}
