import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { ReferralsService } from './referrals.service';

/** Periodically escalates assignments whose answer window (by the injected Clock) has passed. */
@Injectable()
export class EscalationSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EscalationSweeper.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly referrals: ReferralsService,
    @Inject(REHAB_SITE_CONFIG) config: RehabSiteConfig,
  ) {
    this.task = new PeriodicTask(
      async () => {
        const n = await this.referrals.escalateOverdue();
        if (n > 0) this.logger.log(`escalated ${n} overdue assignment(s)`);
      },
      config.sweepIntervalMs,
      (e) => this.logger.warn(`escalation sweep: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
