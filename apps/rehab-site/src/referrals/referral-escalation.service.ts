import { Injectable } from '@nestjs/common';
import { EVENTS } from '@app/contracts';
import { Clock } from '@app/core';
import { AuditTrail } from '@app/audit';
import { EventPublisher } from '@app/messaging';
import { systemActor, TransactionHost } from '@app/persistence';
import { SiteRepository } from '../directory/site.repository';
import { SiteNotifier } from '../webhooks/site-notifier.service';
import { ReferralRepository } from './referral.repository';
import { ALERT_CODES, RoutingService } from './routing.service';
import { messagingAudit } from './site-actions';

const ESCALATION_ACTOR = systemActor('escalation-sweeper');

/**
 * A site that does not answer within its window loses the referral: it is re-routed, and the county centre of
 * the referral's county (on its own subject and webhook) and ops are told.
 */
@Injectable()
export class ReferralEscalationService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly sites: SiteRepository,
    private readonly routing: RoutingService,
    private readonly publisher: EventPublisher,
    private readonly notifier: SiteNotifier,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  /** Escalates every assignment whose answer window has passed (by the Clock); returns how many. */
  async escalateOverdue(limit = 100): Promise<number> {
    const now = this.clock.now();
    const due = await this.tx.runAsSystem(() => this.referrals.overdue(now, limit), ESCALATION_ACTOR);
    let escalated = 0;
    for (const referralId of due) {
      const done = await this.tx.run(async () => {
        const referral = await this.referrals.lock(referralId, { skipLocked: true });
        if (!referral || referral.status !== 'assigned' || !referral.siteId || !referral.answerDueAt)
          return false;
        if (referral.answerDueAt > now) return false;
        const siteId = referral.siteId;
        await this.referrals.exclude(referralId, siteId, 'escalated', referral.hop, now);
        if (referral.holdsPlace) await this.sites.releasePlace(siteId);
        await this.publisher.publish(
          EVENTS.referralEscalated,
          {
            referralId,
            siteId,
            answerDueAt: referral.answerDueAt.toISOString(),
            escalatedAt: now.toISOString(),
          },
          { subject: referralId },
        );
        await this.notifier.revoked(
          { referralId, siteId, reason: 'escalated', revokedAt: now.toISOString() },
          now,
        );
        const countyCode = referral.residenceDivisionCode.slice(0, 6);
        const centre = await this.sites.countyCentreOf(countyCode);
        if (centre) {
          await this.notifier.escalatedToCountyCentre(
            {
              referralId,
              siteId: centre,
              escalatedSiteId: siteId,
              countyCode,
              hop: referral.hop,
              answerDueAt: referral.answerDueAt.toISOString(),
              escalatedAt: now.toISOString(),
            },
            now,
          );
        }
        await this.routing.alert(
          ALERT_CODES.siteAnswerOverdue,
          'warning',
          'A site did not answer a referral within its window; re-routed',
          { referralId, siteId, hop: referral.hop, countyCentreTold: centre ?? 'none' },
          now,
        );
        await this.routing.route(referral, now);
        await this.audit.record(messagingAudit('escalated', referralId));
        return true;
      }, ESCALATION_ACTOR);
      if (done) escalated++;
    }
    return escalated;
  }
}
