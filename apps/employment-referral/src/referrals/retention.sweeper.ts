import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { EMPLOYMENT_REFERRAL_CONFIG, EmploymentReferralConfig } from '../config/employment-referral.config';
import { RetentionService } from './retention.service';

/** Periodically raises retention checks that became overdue (by the injected Clock). */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionSweeper.name);
  private readonly task: PeriodicTask;

  constructor(
    retention: RetentionService,
    @Inject(EMPLOYMENT_REFERRAL_CONFIG) config: EmploymentReferralConfig,
  ) {
    this.task = new PeriodicTask(
      async () => {
        const n = await retention.raiseOverdue();
        if (n > 0) this.logger.log(`raised ${n} overdue retention check(s)`);
      },
      config.sweepIntervalMs,
      (e) => this.logger.warn(`retention sweep: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
