import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { OutboxBacklog, OutboxRepository } from './outbox.repository';

/** The outboxes of the services running in this process (one in production; several in some tests). */
const backlogs = new Map<string, () => Promise<OutboxBacklog>>();

function gauge(name: string, help: string, read: (backlog: OutboxBacklog) => number): void {
  if (register.getSingleMetric(name)) return;
  new Gauge({
    name,
    help,
    labelNames: ['service'],
    async collect() {
      this.reset();
      for (const [service, backlog] of backlogs) {
        try {
          this.set({ service }, read(await backlog()));
        } catch {
          // Database unreachable: no sample (readiness reports it).
        }
      }
    },
  });
}

/**
 * Each service's outbox backlog on its own /metrics, read when Prometheus scrapes: rows not yet published and
 * the age of the oldest. Ops-monitor never reads another service's tables; Prometheus collects these.
 */
@Injectable()
export class OutboxMetrics implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onModuleInit(): void {
    gauge('referral_outbox_pending_events', 'Outbox rows not yet published to JetStream.', (b) => b.pending);
    gauge(
      'referral_outbox_oldest_age_seconds',
      'Age of the oldest outbox row not yet published (0 when none).',
      (b) => b.oldestAgeSeconds,
    );
    backlogs.set(this.options.service, () => this.outbox.backlog());
  }

  onModuleDestroy(): void {
    backlogs.delete(this.options.service);
  }
}
