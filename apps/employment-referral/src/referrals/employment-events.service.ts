import { Injectable } from '@nestjs/common';
import {
  EmploymentReadinessConfirmedData,
  EventEnvelope,
  EVENTS,
  GreenRelapseReportedData,
  ReferralConsentWithdrawnData,
} from '@app/contracts';
import { AuditEntry, AuditTrail, referralAudit } from '@app/audit';
import { Clock } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { ProviderRepository } from '../providers/provider.repository';
import { ACTIVE_STATUSES } from './employment-lifecycle';
import { EmploymentReferralRecord, EmploymentReferralRepository } from './employment-referral.repository';
import { RetentionCheckRepository } from './retention-check.repository';
import { EmploymentRoutingService } from './routing.service';

/** Withdrawing either ends the employment referral: community rehab ends the whole referral. */
const ENDING_PURPOSES = ['employment', 'community-rehab'];

const messagingAudit = (subtype: string, referralId: string): AuditEntry =>
  referralAudit('messaging', subtype, 'U', referralId);

/**
 * What the bus tells employment-referral: a site confirmed readiness (a new employment referral, or a paused
 * one resumes), a relapse (pauses it), a consent withdrawal (ends it and the provider's access). Each handler
 * runs in the transaction that records the inbox row.
 */
@Injectable()
export class EmploymentEventsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: EmploymentReferralRepository,
    private readonly checks: RetentionCheckRepository,
    private readonly providers: ProviderRepository,
    private readonly routing: EmploymentRoutingService,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async onReadinessConfirmed({ data }: EventEnvelope<EmploymentReadinessConfirmedData>): Promise<void> {
    await this.tx.run(async () => {
      const now = this.clock.now();
      if (await this.referrals.isWithdrawn(data.referralId)) return;
      const created = await this.referrals.insertReady({
        referralId: data.referralId,
        siteId: data.siteId,
        residenceDivisionCode: data.residenceDivisionCode,
        programmes: data.programmes,
        readyAt: now,
      });
      const referral = (await this.referrals.lock(data.referralId))!;
      if (created) {
        await this.routing.route(referral, now);
        await this.audit.record(messagingAudit('employment-ready', data.referralId));
      } else if (referral.status === 'paused') {
        await this.resume(referral, now);
      }
      // Otherwise a repeat of a confirmation already acted on: nothing changes.
    }, SYSTEM_ACTOR);
  }

  private async resume(referral: EmploymentReferralRecord, now: Date): Promise<void> {
    const { referralId, providerId } = referral;
    await this.referrals.update(referralId, { status: referral.pausedFrom ?? 'referred', pausedFrom: null });
    await this.publisher.publish(
      EVENTS.employmentReferralResumed,
      { referralId, ...(providerId ? { providerId } : {}), resumedAt: now.toISOString() },
      { subject: referralId },
    );
    await this.audit.record(messagingAudit('employment-resumed', referralId));
  }

  /** A relapse pauses an active employment referral (the provider keeps its place); no other effect. */
  async onRelapseReported({ data }: EventEnvelope<GreenRelapseReportedData>): Promise<void> {
    await this.tx.run(async () => {
      const referral = await this.referrals.lock(data.referralId);
      if (!referral || !ACTIVE_STATUSES.includes(referral.status)) return;
      const now = this.clock.now();
      const { referralId, providerId } = referral;
      await this.referrals.update(referralId, { status: 'paused', pausedFrom: referral.status });
      await this.publisher.publish(
        EVENTS.employmentReferralPaused,
        { referralId, ...(providerId ? { providerId } : {}), pausedAt: now.toISOString() },
        { subject: referralId },
      );
      await this.audit.record(messagingAudit('employment-paused', referralId));
    }, SYSTEM_ACTOR);
  }

  /**
   * Employment (or community rehab) consent withdrawn: the employment referral ends, the place is given back,
   * open retention checks are dropped, and the provider loses access (row-level security and every lookup
   * hide it; it is told on its own subject). Remembered, so a readiness arriving later opens nothing.
   */
  async onConsentWithdrawn({ data }: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    if (!ENDING_PURPOSES.includes(data.purpose)) return;
    await this.tx.run(async () => {
      const now = this.clock.now();
      await this.referrals.recordWithdrawal(data.referralId, data.purpose, now);
      const referral = await this.referrals.lock(data.referralId);
      if (!referral) return;
      const { referralId, providerId } = referral;
      const wasOpen = referral.status !== 'ended';
      if (referral.holdsPlace && providerId) await this.providers.releasePlace(providerId);
      await this.checks.cancelOpen(referralId);
      await this.referrals.update(referralId, {
        status: 'ended',
        pausedFrom: null,
        holdsPlace: false,
        accessRevoked: true,
        ...(wasOpen ? { endedAt: now, endReason: 'consent-withdrawn' as const } : {}),
      });
      if (wasOpen) {
        await this.publisher.publish(
          EVENTS.employmentReferralEnded,
          {
            referralId,
            ...(providerId ? { providerId } : {}),
            reason: 'consent-withdrawn',
            endedAt: now.toISOString(),
          },
          { subject: referralId },
        );
      }
      if (providerId) {
        await this.publisher.publish(
          EVENTS.providerReferralRevoked,
          { referralId, providerId, reason: 'consent-withdrawn', revokedAt: now.toISOString() },
          { subject: referralId, recipient: providerId, time: now },
        );
      }
      await this.audit.record(messagingAudit('employment-consent-withdrawn', referralId));
    }, SYSTEM_ACTOR);
  }
}
