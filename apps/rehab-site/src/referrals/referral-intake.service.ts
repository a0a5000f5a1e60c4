import { Injectable } from '@nestjs/common';
import {
  EventEnvelope,
  ReferralCancelledData,
  ReferralConsentGrantedData,
  ReferralConsentWithdrawnData,
  ReferralRegisteredData,
} from '@app/contracts';
import { Clock, DomainException } from '@app/core';
import { AuditTrail } from '@app/audit';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { WebhookRepository } from '@app/webhooks';
import { SiteRepository } from '../directory/site.repository';
import { GreenChannelService } from '../green-channel/green-channel.service';
import { SiteNotifier } from '../webhooks/site-notifier.service';
import { EarlyWithdrawalRepository } from './early-withdrawal.repository';
import { ReadinessRepository } from './readiness.repository';
import { ReferralRecord, ReferralRepository } from './referral.repository';
import { RoutingService } from './routing.service';
import { SiteContactSeal } from './site-contact-seal';
import { messagingAudit } from './site-actions';

/** What registration tells rehab-site: a registered referral to route, a withdrawn consent to honour. */
@Injectable()
export class ReferralIntakeService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly sites: SiteRepository,
    private readonly routing: RoutingService,
    private readonly notifier: SiteNotifier,
    private readonly webhooks: WebhookRepository,
    private readonly earlyWithdrawals: EarlyWithdrawalRepository,
    private readonly contactSeal: SiteContactSeal,
    private readonly readiness: ReadinessRepository,
    private readonly green: GreenChannelService,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  /** referral.registered: keep the routing data (contact stays sealed) and route it. */
  async onRegistered({ data }: EventEnvelope<ReferralRegisteredData>): Promise<void> {
    await this.tx.run(async () => {
      const now = this.clock.now();
      // The contact must open for this referral before anything is stored or routed (a moved seal is refused).
      const sealedContact = this.contactSeal.verifyReceived(data.referralId, data.sealedContact);
      const received = { ...data, sealedContact };
      if (await this.green.takeOver(received, now)) return;
      const routed = await this.routing.registerAndRoute(received, now);
      // Known already: resumed after a green-channel stay, or a re-publication under another id (no effect).
      if (!routed) {
        await this.green.resume(received, now);
        await this.readiness.recordConsents(data.referralId, data.validConsents ?? []);
        return;
      }
      await this.readiness.recordConsents(data.referralId, data.validConsents ?? []);
      await this.audit.record(messagingAudit('registered', data.referralId));
    }, SYSTEM_ACTOR);
  }

  /**
   * referral.consent-granted: a consent given after registration (employment) is kept for the readiness gate.
   * The referral.registered it follows comes on another consumer: until it is here, retried (transient).
   */
  async onConsentGranted({ data }: EventEnvelope<ReferralConsentGrantedData>): Promise<void> {
    if (data.purpose === 'community-rehab') return;
    await this.tx.run(async () => {
      if (!(await this.readiness.grantConsent(data.referralId, data.purpose, data.expiresAt ?? null))) {
        throw new DomainException(
          'REFERRAL_NOT_YET_KNOWN',
          'unavailable',
          'The referral this consent is for has not reached the site service yet',
        );
      }
      await this.audit.record(messagingAudit('consent-granted', data.referralId));
    }, SYSTEM_ACTOR);
  }

  /** referral.consent-withdrawn (community rehab): the assignment ends, the place is freed, the contact deleted. */
  async onConsentWithdrawn({ data }: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    if (data.purpose !== 'community-rehab') {
      // Another purpose (employment): the referral stays; gates on that purpose no longer pass.
      await this.tx.run(() => this.readiness.removeConsent(data.referralId, data.purpose), SYSTEM_ACTOR);
      return;
    }
    await this.tx.run(async () => {
      const referral = await this.lockOrRecordEarlyWithdrawal(data);
      if (!referral) return;
      if (referral.status === 'consent-withdrawn') return;
      const now = this.clock.now();
      const holder = referral.status === 'closed' ? null : referral.siteId;
      if (referral.holdsPlace && referral.siteId) await this.sites.releasePlace(referral.siteId);
      await this.referrals.withdraw(referral.referralId);
      await this.webhooks.cancelForSubject(referral.referralId, 'consent withdrawn');
      if (holder) {
        await this.notifier.revoked(
          {
            referralId: referral.referralId,
            siteId: holder,
            reason: 'consent-withdrawn',
            revokedAt: now.toISOString(),
          },
          now,
        );
      }
      await this.audit.record(messagingAudit('consent-withdrawn', referral.referralId));
    }, SYSTEM_ACTOR);
  }

  /**
   * referral.cancelled: the referring hospital cancelled before a site accepted. Like a withdrawal: the open
   * assignment ends, the reserved place is freed, pending notices are dropped and the site is told (revoked,
   * reason `cancelled`). One a site accepted meanwhile (a race with the hospital's check) stays as it is; one
   * not here yet is recorded so that it is never routed.
   */
  async onCancelled({ data }: EventEnvelope<ReferralCancelledData>): Promise<void> {
    await this.tx.run(async () => {
      const referral = await this.lockOrRecordEarlyWithdrawal({
        referralId: data.referralId,
        withdrawnAt: data.cancelledAt,
      });
      if (!referral) return;
      if (referral.status !== 'assigned' && referral.status !== 'unplaced') {
        await this.audit.record(messagingAudit('cancellation-ignored', referral.referralId));
        return;
      }
      const now = this.clock.now();
      if (referral.holdsPlace && referral.siteId) await this.sites.releasePlace(referral.siteId);
      await this.referrals.cancel(referral.referralId);
      await this.webhooks.cancelForSubject(referral.referralId, 'cancelled by the referring hospital');
      if (referral.siteId) {
        await this.notifier.revoked(
          {
            referralId: referral.referralId,
            siteId: referral.siteId,
            reason: 'cancelled',
            revokedAt: now.toISOString(),
          },
          now,
        );
      }
      await this.audit.record(messagingAudit('cancelled', referral.referralId));
    }, SYSTEM_ACTOR);
  }

  /**
   * The referral a withdrawal is for, locked; or, when rehab-site does not hold it (never registered, or its
   * registration not delivered here yet), the withdrawal recorded so that it is never routed, and undefined: a
   * no-op, acknowledged.
   */
  private async lockOrRecordEarlyWithdrawal(
    data: Pick<ReferralConsentWithdrawnData, 'referralId' | 'withdrawnAt'>,
  ): Promise<ReferralRecord | undefined> {
    const known = await this.referrals.lock(data.referralId);
    if (known) return known;
    await this.earlyWithdrawals.lockReferralInserts();
    const landed = await this.referrals.lock(data.referralId);
    if (landed) return landed;
    await this.earlyWithdrawals.record(data.referralId, data.withdrawnAt);
    await this.audit.record(messagingAudit('consent-withdrawn-before-registration', data.referralId));
    return undefined;
  }
}
