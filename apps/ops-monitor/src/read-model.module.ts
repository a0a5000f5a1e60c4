import { Module } from '@nestjs/common';
import { AlertRepository } from './alerts/alert.repository';
import { DashboardRepository } from './dashboard/dashboard.repository';
import { IndicatorRepository } from './indicators/indicator.repository';
import { OpsMetrics } from './metrics/ops-metrics';
import { StuckRepository } from './stuck/stuck.repository';
import { TimelineRepository } from './timeline/timeline.repository';

/** The read model's repositories and metrics, shared by the feature modules. */
@Module({
  providers: [
    TimelineRepository,
    AlertRepository,
    StuckRepository,
    DashboardRepository,
    IndicatorRepository,
    OpsMetrics,
  ],
  exports: [
    TimelineRepository,
    AlertRepository,
    StuckRepository,
    DashboardRepository,
    IndicatorRepository,
    OpsMetrics,
  ],
})
export class ReadModelModule {}
