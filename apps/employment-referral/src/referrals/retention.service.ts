import { Inject, Injectable } from '@nestjs/common';
import { EVENTS } from '@app/contracts';
import { Clock } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { systemActor, TransactionHost } from '@app/persistence';
import { EMPLOYMENT_REFERRAL_CONFIG, EmploymentReferralConfig } from '../config/employment-referral.config';
import { RetentionCheckRepository } from './retention-check.repository';
import { EmploymentOutcomes } from './employment-outcomes';
import { ALERT_CODES, EmploymentRoutingService } from './routing.service';

const RETENTION_SWEEPER = systemActor('retention-sweeper');

/** Retention checks past their grace period: each raises employment.retention.overdue and an ops alert, once. */
@Injectable()
export class RetentionService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly checks: RetentionCheckRepository,
    private readonly routing: EmploymentRoutingService,
    private readonly publisher: EventPublisher,
    private readonly outcomes: EmploymentOutcomes,
    private readonly clock: Clock,
    @Inject(EMPLOYMENT_REFERRAL_CONFIG) private readonly config: EmploymentReferralConfig,
  ) {}

  /** Claims and announces overdue checks (by the Clock), in one transaction per batch; answers how many. */
  async raiseOverdue(limit = 100): Promise<number> {
    const now = this.clock.now();
    return this.tx.run(async () => {
      const overdue = await this.checks.claimOverdue(now, this.config.retentionGraceDays, limit);
      for (const check of overdue) {
        const { referralId, providerId, month } = check;
        await this.publisher.publish(
          EVENTS.employmentRetentionOverdue,
          { referralId, providerId, month, dueAt: check.dueAt.toISOString(), overdueAt: now.toISOString() },
          { subject: referralId },
        );
        await this.outcomes.announce({ referralId, siteId: check.siteId }, 'retention-overdue', now, {
          retentionMonth: month,
        });
        await this.routing.alert(
          ALERT_CODES.retentionCheckOverdue,
          'warning',
          `A ${month}-month retention check was not recorded in time`,
          { referralId, providerId, month },
          now,
        );
      }
      return overdue.length;
    }, RETENTION_SWEEPER);
  }
}
