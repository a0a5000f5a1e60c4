import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { OPS_MONITOR_CONFIG, OpsMonitorConfig } from '../config/ops-monitor.config';
import { StuckService } from './stuck.service';

/** Periodically raises alerts for referrals stuck past their stage's expected time. */
@Injectable()
export class StuckSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StuckSweeper.name);
  private readonly task: PeriodicTask;

  constructor(stuck: StuckService, @Inject(OPS_MONITOR_CONFIG) config: OpsMonitorConfig) {
    this.task = new PeriodicTask(
      async () => {
        const n = await stuck.sweep();
        if (n > 0) this.logger.warn(`raised ${n} stuck-referral alert(s)`);
      },
      config.stuckSweepIntervalMs,
      (e) => this.logger.warn(`stuck sweep: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
