import { Injectable } from '@nestjs/common';
import { Clock } from '@app/core';
import { systemActor, TransactionHost } from '@app/persistence';
import { AlertRepository } from '../alerts/alert.repository';
import { BusHealthService } from '../bus/bus-health.service';
import { StuckService } from '../stuck/stuck.service';
import { DashboardRepository } from './dashboard.repository';
import { DashboardDto } from './dto/dashboard.dto';

const DASHBOARD = systemActor('dashboard');
const LIST_SIZE = 20;

/** One snapshot of everything the ops dashboard shows (optionally one county), from the read model and the bus. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly dashboard: DashboardRepository,
    private readonly alerts: AlertRepository,
    private readonly stuck: StuckService,
    private readonly bus: BusHealthService,
    private readonly clock: Clock,
  ) {}

  async snapshot(county: string | null): Promise<DashboardDto> {
    const read = await this.tx.run(
      async () => ({
        latency: await this.dashboard.stageLatencies(county),
        byState: await this.dashboard.referralsByState(county),
        breaches: await this.dashboard.slaBreaches(county),
        counties: await this.dashboard.counties(),
        openAlerts: await this.alerts.openAlertCounts(),
        recentAlerts: await this.alerts.listAlerts({ county: county ?? undefined, limit: LIST_SIZE }),
        deadLetters: await this.alerts.deadLettersByService(),
      }),
      DASHBOARD,
    );
    const stuck = (await this.stuck.list(500)).filter((s) => !county || s.countyCode === county);
    const states = new Map<string, number>();
    for (const r of read.byState) states.set(r.state, (states.get(r.state) ?? 0) + r.count);
    return {
      generatedAt: this.clock.now().toISOString(),
      county,
      counties: read.counties,
      latency: read.latency,
      referralsByState: [...states].map(([state, count]) => ({ state, count })),
      referralsByCounty: read.byState,
      slaBreaches: read.breaches,
      stuck: {
        total: stuck.length,
        items: stuck.slice(0, LIST_SIZE).map((s) => ({
          referralId: s.referralId,
          state: s.state,
          stateSince: s.stateSince.toISOString(),
          countyCode: s.countyCode,
          expectedSeconds: s.expectedSeconds,
        })),
      },
      alerts: {
        open: read.openAlerts,
        recent: read.recentAlerts.map((a) => ({
          id: a.id,
          code: a.code,
          severity: a.severity,
          service: a.service,
          summary: a.summary,
          referralId: a.referralId,
          countyCode: a.countyCode,
          raisedAt: a.raisedAt.toISOString(),
          status: a.status,
        })),
      },
      bus: {
        consumers: this.bus
          .consumerLag()
          .map(({ consumer, service, stream, pending, ackPending, redelivered }) => ({
            consumer,
            service,
            stream,
            pending,
            ackPending,
            redelivered,
          })),
        deadLetters: read.deadLetters,
        outbox: { service: 'ops-monitor', ...(await this.bus.ownOutbox()) },
      },
    };
  }
}
