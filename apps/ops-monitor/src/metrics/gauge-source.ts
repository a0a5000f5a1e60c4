import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { systemActor, TransactionHost } from '@app/persistence';
import { AlertRepository } from '../alerts/alert.repository';
import { BusHealthService } from '../bus/bus-health.service';
import { DashboardRepository } from '../dashboard/dashboard.repository';
import { StuckService } from '../stuck/stuck.service';
import { GaugeSource, OpsMetrics } from './ops-metrics';

const SCRAPE = systemActor('metrics-scrape');

/** Binds the scrape-time gauges of OpsMetrics to this app's read model and bus view while it runs. */
@Injectable()
export class ReadModelGaugeSource implements GaugeSource, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly tx: TransactionHost,
    private readonly dashboard: DashboardRepository,
    private readonly alerts: AlertRepository,
    private readonly stuck: StuckService,
    private readonly bus: BusHealthService,
    readonly metrics: OpsMetrics,
  ) {}

  onApplicationBootstrap(): void {
    OpsMetrics.bind(this);
  }

  onApplicationShutdown(): void {
    OpsMetrics.bind(undefined);
  }

  referralsByState() {
    return this.tx.run(() => this.dashboard.referralsByState(null), SCRAPE);
  }

  stuckByState() {
    return this.stuck.countByState();
  }

  openAlerts() {
    return this.tx.run(() => this.alerts.openAlertCounts(), SCRAPE);
  }

  deadLettersByService() {
    return this.tx.run(() => this.alerts.deadLettersByService(), SCRAPE);
  }

  consumerLag() {
    return this.bus.consumerLag();
  }
}
