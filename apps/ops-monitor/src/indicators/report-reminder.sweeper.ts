import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { OPS_MONITOR_CONFIG, OpsMonitorConfig } from '../config/ops-monitor.config';
import { IndicatorsService } from './indicators.service';

/** Periodically raises the quarterly report's due-date reminders (by the injected Clock). */
@Injectable()
export class ReportReminderSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReportReminderSweeper.name);
  private readonly task: PeriodicTask;

  constructor(indicators: IndicatorsService, @Inject(OPS_MONITOR_CONFIG) config: OpsMonitorConfig) {
    this.task = new PeriodicTask(
      async () => {
        const n = await indicators.sweepReminders();
        if (n > 0) this.logger.warn(`raised ${n} indicator report reminder(s)`);
      },
      config.indicators.reportSweepIntervalMs,
      (e) => this.logger.warn(`report reminder sweep: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
