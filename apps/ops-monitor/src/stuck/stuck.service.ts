import { Inject, Injectable } from '@nestjs/common';
import { EVENTS, SERVICES } from '@app/contracts';
import { Clock } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { systemActor, TransactionHost } from '@app/persistence';
import { STUCK_REFERRAL_ALERT } from '../alerts/alerts.service';
import { OPS_MONITOR_CONFIG, OpsMonitorConfig } from '../config/ops-monitor.config';
import { StuckReferral, StuckRepository } from './stuck.repository';

const SWEEPER = systemActor('stuck-sweeper');
const READER = systemActor('stuck-read');

/**
 * Stuck referrals: waiting in a state past its configured expected time (by the injected Clock). The sweeper
 * raises one `ops.alert.raised` (STUCK_REFERRAL) per stay in a state; the alert comes back on the OPS stream
 * into the alert list like any other, and is resolved by the system when the referral moves on.
 */
@Injectable()
export class StuckService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly stuck: StuckRepository,
    private readonly publisher: EventPublisher,
    private readonly clock: Clock,
    @Inject(OPS_MONITOR_CONFIG) private readonly config: OpsMonitorConfig,
  ) {}

  /** One sweep; another replica sweeping at the same time makes this one a no-op. Returns alerts raised. */
  sweep(): Promise<number> {
    return this.tx.run(async () => {
      if (!(await this.stuck.tryLockSweep())) return 0;
      const now = this.clock.now();
      const raised = await this.stuck.claimNewlyStuck(
        this.config.stuckAfterSeconds,
        now,
        this.config.stuckSweepBatch,
      );
      for (const referral of raised) await this.raise(referral, now);
      return raised.length;
    }, SWEEPER);
  }

  list(limit: number): Promise<StuckReferral[]> {
    return this.tx.run(
      () => this.stuck.findStuck(this.config.stuckAfterSeconds, this.clock.now(), limit),
      READER,
    );
  }

  countByState(): Promise<{ state: string; count: number }[]> {
    return this.tx.run(
      () => this.stuck.countStuckByState(this.config.stuckAfterSeconds, this.clock.now()),
      READER,
    );
  }

  private async raise(referral: StuckReferral, now: Date): Promise<void> {
    const waitedMinutes = Math.floor((now.getTime() - referral.stateSince.getTime()) / 60_000);
    await this.publisher.publish(
      EVENTS.opsAlertRaised,
      {
        code: STUCK_REFERRAL_ALERT,
        severity: 'warning',
        service: SERVICES.opsMonitor,
        summary: `Referral ${referral.state} for ${waitedMinutes} min (expected within ${Math.round(referral.expectedSeconds / 60)} min)`,
        details: {
          referralId: referral.referralId,
          state: referral.state,
          stateSince: referral.stateSince.toISOString(),
          expectedSeconds: referral.expectedSeconds,
          ...(referral.countyCode ? { countyCode: referral.countyCode } : {}),
          ...(referral.siteId ? { siteId: referral.siteId } : {}),
        },
        raisedAt: now.toISOString(),
      },
      { subject: referral.referralId },
    );
  }
}
