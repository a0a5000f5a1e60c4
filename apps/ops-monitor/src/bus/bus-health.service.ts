import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CONSUMERS, STREAMS } from '@app/contracts';
import { PeriodicTask } from '@app/core';
import { MessagingHealthService, NatsConnectionService } from '@app/messaging';
import { OPS_MONITOR_CONFIG, OpsMonitorConfig } from '../config/ops-monitor.config';

export interface ConsumerLag {
  /** Durable name as in the registry (without a test namespace). */
  readonly consumer: string;
  readonly service: string;
  readonly stream: string;
  readonly pending: number;
  readonly ackPending: number;
  readonly redelivered: number;
}

/**
 * Lag of every durable consumer on the bus (every service's, from the registry), read from the JetStream API
 * (`consumers.info`) every `busPollIntervalMs`: what a scrape or the dashboard reads is the last round. A durable
 * that does not exist yet (its service never started) is left out.
 */
@Injectable()
export class BusHealthService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BusHealthService.name);
  private readonly task: PeriodicTask;
  private lags: ConsumerLag[] = [];

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly messaging: MessagingHealthService,
    @Inject(OPS_MONITOR_CONFIG) config: OpsMonitorConfig,
  ) {
    this.task = new PeriodicTask(
      () => this.refresh(),
      config.busPollIntervalMs,
      (e) => this.logger.warn(`consumer lag: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  consumerLag(): ConsumerLag[] {
    return this.lags;
  }

  /** Ops-monitor's own outbox (each service reports its own as `referral_outbox_*` on its /metrics). */
  ownOutbox(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    return this.messaging.outboxBacklog();
  }

  async refresh(): Promise<void> {
    if (!this.nats.connected) return;
    const { jsm } = await this.nats.ready();
    const lags: ConsumerLag[] = [];
    for (const consumer of Object.values(CONSUMERS)) {
      try {
        const info = await jsm.consumers.info(
          this.nats.topology.streamName(consumer.stream),
          this.nats.topology.durable(consumer),
        );
        lags.push({
          consumer: consumer.durable,
          service: consumer.service,
          stream: STREAMS[consumer.stream].name,
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
          redelivered: info.num_redelivered,
        });
      } catch {
        // Not provisioned (its service has not started in this namespace): nothing to report.
      }
    }
    this.lags = lags;
  }
}
