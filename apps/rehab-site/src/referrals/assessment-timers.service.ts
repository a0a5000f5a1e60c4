import { Inject, Injectable } from '@nestjs/common';
import { EVENTS } from '@app/contracts';
import { Clock } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { systemActor, TransactionHost } from '@app/persistence';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { ReferralRepository, ReviewDue } from './referral.repository';
import { ALERT_CODES, RoutingService } from './routing.service';

const TIMER_ACTOR = systemActor('assessment-timer-sweeper');
const DAY_MS = 86_400_000;

/**
 * Periodic assessment timers: the latest plan's review date (`reviewBy`) raises
 * `referral.periodic-assessment-due` the configured days before it and `referral.periodic-assessment-overdue`
 * once it has passed (ops alerted), each once per review date, for a referral a site is serving. Recording an
 * assessment clears the review date; a new plan sets the next one.
 */
@Injectable()
export class AssessmentTimersService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly publisher: EventPublisher,
    private readonly routing: RoutingService,
    private readonly clock: Clock,
    @Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig,
  ) {}

  /** Raises the due and overdue notices that the Clock says are owed; returns how many. */
  async raiseOwed(limit = 100): Promise<number> {
    const now = this.clock.now();
    return this.tx.run(async () => {
      const due = await this.referrals.markAssessmentsDue(
        now,
        this.config.assessmentDueNoticeDays * DAY_MS,
        limit,
      );
      for (const review of due) await this.publish(EVENTS.referralPeriodicAssessmentDue, review, now);
      const overdue = await this.referrals.markAssessmentsOverdue(now, limit);
      for (const review of overdue) {
        await this.publish(EVENTS.referralPeriodicAssessmentOverdue, review, now);
        await this.routing.alert(
          ALERT_CODES.assessmentOverdue,
          'warning',
          "A serving site's periodic assessment is overdue (the plan's review date passed)",
          { referralId: review.referralId, siteId: review.siteId, reviewBy: review.reviewBy.toISOString() },
          now,
        );
      }
      return due.length + overdue.length;
    }, TIMER_ACTOR);
  }

  private async publish(
    definition: typeof EVENTS.referralPeriodicAssessmentDue | typeof EVENTS.referralPeriodicAssessmentOverdue,
    review: ReviewDue,
    now: Date,
  ): Promise<void> {
    await this.publisher.publish(
      definition,
      {
        referralId: review.referralId,
        siteId: review.siteId,
        reviewBy: review.reviewBy.toISOString(),
        raisedAt: now.toISOString(),
      },
      { subject: review.referralId },
    );
  }
}
