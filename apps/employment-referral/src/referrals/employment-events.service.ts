import { Injectable } from '@nestjs/common';
import {
  EmploymentReadinessConfirmedData,
  EventEnvelope,
  EVENTS,
  EmploymentPauseCause,
  GreenReadmittedData,
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
import { ProviderNotifier } from '../notices/provider-notifier.service';
import { EmploymentOutcomes } from './employment-outcomes';
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
    private readonly outcomes: EmploymentOutcomes,
    private readonly notifier: ProviderNotifier,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /**
   * Readiness confirmed at the site. New: routed, or opened paused when a relapse or readmission heard earlier
   * came after the confirmation (the streams are not ordered with each other). Newer than the confirmation the
   * referral stands on: a paused referral resumes (routed if it never was), an ended or unplaced one is
   * re-opened as a new episode. Older or repeated: nothing changes.
   */
  async onReadinessConfirmed({ data }: EventEnvelope<EmploymentReadinessConfirmedData>): Promise<void> {
    await this.tx.run(async () => {
      const now = this.clock.now();
      if (await this.referrals.isWithdrawn(data.referralId)) return;
      const confirmedAt = new Date(data.confirmedAt);
      const episode = {
        referralId: data.referralId,
        siteId: data.siteId,
        residenceDivisionCode: data.residenceDivisionCode,
        programmes: data.programmes,
        readyAt: now,
        confirmedAt,
      };
      const relapse = await this.referrals.latestRelapse(data.referralId);
      const relapsedSince = relapse !== undefined && relapse.relapsedAt >= confirmedAt;
      const created = await this.referrals.insertReady(episode);
      const referral = (await this.referrals.lock(data.referralId))!;
      if (created) {
        await this.audit.record(messagingAudit('employment-ready', data.referralId));
        if (relapsedSince) await this.pause(referral, relapse.cause, now);
        else await this.routing.route(referral, now);
        return;
      }
      if (referral.confirmedAt && confirmedAt <= referral.confirmedAt) return; // repeated or out of date
      if (relapsedSince) return; // a relapse since this confirmation already paused it (or will)
      if (referral.status === 'paused') {
        await this.referrals.update(referral.referralId, { confirmedAt });
        await this.resume(referral, now);
      } else if (referral.status === 'ended' || referral.status === 'unplaced') {
        await this.referrals.reopen(episode);
        await this.audit.record(messagingAudit('employment-reopened', data.referralId));
        await this.routing.route((await this.referrals.lock(data.referralId))!, now);
      } else {
        await this.referrals.update(referral.referralId, { confirmedAt });
      }
    }, SYSTEM_ACTOR);
  }

  /** Resumes where it stood; one paused before it was ever routed is routed now. */
  private async resume(referral: EmploymentReferralRecord, now: Date): Promise<void> {
    const { referralId, providerId } = referral;
    await this.referrals.update(referralId, { status: referral.pausedFrom ?? 'unplaced', pausedFrom: null });
    await this.publisher.publish(
      EVENTS.employmentReferralResumed,
      { referralId, ...(providerId ? { providerId } : {}), resumedAt: now.toISOString() },
      { subject: referralId },
    );
    await this.outcomes.announce(referral, 'resumed', now);
    await this.audit.record(messagingAudit('employment-resumed', referralId));
    if (!referral.pausedFrom) await this.routing.route((await this.referrals.lock(referralId))!, now);
  }

  /** A relapse (green channel) pauses an active employment referral; remembered when there is none yet. */
  onRelapseReported({ data }: EventEnvelope<GreenRelapseReportedData>): Promise<void> {
    return this.onRelapse(data.referralId, 'relapse', new Date(data.reportedAt));
  }

  /** A readmission to hospital (green channel) pauses it the same way. */
  onReadmitted({ data }: EventEnvelope<GreenReadmittedData>): Promise<void> {
    return this.onRelapse(data.referralId, 'readmission', new Date(data.readmittedAt));
  }

  /**
   * Records the relapse (so a readiness confirmed before it, arriving later, opens the referral paused) and
   * pauses an active referral, unless the site confirmed readiness again after it. The provider keeps its place.
   */
  private async onRelapse(referralId: string, cause: EmploymentPauseCause, at: Date): Promise<void> {
    await this.tx.run(async () => {
      await this.referrals.recordRelapse(referralId, cause, at);
      const referral = await this.referrals.lock(referralId);
      if (!referral || !ACTIVE_STATUSES.includes(referral.status)) return;
      if (referral.confirmedAt && at < referral.confirmedAt) return; // readiness confirmed again since
      await this.pause(referral, cause, this.clock.now());
    }, SYSTEM_ACTOR);
  }

  private async pause(
    referral: EmploymentReferralRecord,
    cause: EmploymentPauseCause,
    now: Date,
  ): Promise<void> {
    const { referralId, providerId } = referral;
    const pausedFrom = ACTIVE_STATUSES.includes(referral.status) ? referral.status : null;
    await this.referrals.update(referralId, { status: 'paused', pausedFrom });
    await this.publisher.publish(
      EVENTS.employmentReferralPaused,
      { referralId, ...(providerId ? { providerId } : {}), cause, pausedAt: now.toISOString() },
      { subject: referralId },
    );
    await this.outcomes.announce(referral, 'paused', now, { pauseCause: cause });
    await this.audit.record(messagingAudit('employment-paused', referralId));
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
        await this.outcomes.announce(referral, 'ended', now, { endReason: 'consent-withdrawn' });
      }
      if (providerId) {
        await this.notifier.revoked(
          { referralId, providerId, reason: 'consent-withdrawn', revokedAt: now.toISOString() },
          now,
        );
      }
      await this.audit.record(messagingAudit('employment-consent-withdrawn', referralId));
    }, SYSTEM_ACTOR);
  }
}
