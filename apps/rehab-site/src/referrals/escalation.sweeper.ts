import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config';
import { ReferralsService } from './referrals.service';

/** Periodically escalates assignments whose answer window (by the injected Clock) has passed. */
@Injectable()
export class EscalationSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EscalationSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly referrals: ReferralsService,
    @Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.referrals
        .escalateOverdue()
        .then((n) => {
          if (n > 0) this.logger.log(`escalated ${n} overdue assignment(s)`);
        })
        .catch((e: Error) => this.logger.warn(`escalation sweep: ${e.message}`))
        .then(() => this.schedule());
    }, this.config.sweepIntervalMs);
  }
}
