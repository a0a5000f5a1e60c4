import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { GreenChannelService } from './green-channel.service';

/** Periodically gives back the places of readmitted patients whose hold (by the injected Clock) ran out. */
@Injectable()
export class GreenHoldSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GreenHoldSweeper.name);
  private readonly task: PeriodicTask;

  constructor(green: GreenChannelService, @Inject(REHAB_SITE_CONFIG) config: RehabSiteConfig) {
    this.task = new PeriodicTask(
      async () => {
        const n = await green.releaseExpiredHolds();
        if (n > 0) this.logger.log(`gave back ${n} held place(s)`);
      },
      config.sweepIntervalMs,
      (e) => this.logger.warn(`green hold sweep: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
