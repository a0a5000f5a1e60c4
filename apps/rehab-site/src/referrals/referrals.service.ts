import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  EVENTS,
  EventEnvelope,
  ReferralServiceRecordedData,
  ServiceRecordKind,
  ReferralConsentWithdrawnData,
  ReferralRegisteredData,
} from '@app/contracts';
import { Clock, decodeKeysetCursor, DomainException, encodeKeysetCursor } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher } from '@app/messaging';
import { AuditEntry, AuditTrail } from '@app/audit';
import { Actor, organisationActor, SYSTEM_ACTOR, systemActor, TransactionHost } from '@app/persistence';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { SiteContactSeal } from './site-contact-seal';
import { SiteRepository } from '../directory/site.repository';
import { SiteNotifier } from '../webhooks/site-notifier.service';
import { WebhookRepository } from '@app/webhooks';
import {
  CloseDto,
  DeclineDto,
  EmploymentReadinessDto,
  PeriodicAssessmentDto,
  ReferralActionResultDto,
  ReferralDetailDto,
  ReferralPageDto,
  ReferralSummaryDto,
  RehabPlanDto,
  RelapseDto,
  ServiceSessionDto,
  SiteReferralQuery,
  TransferDto,
} from './dto/referral.dto';
import { EarlyWithdrawalRepository } from './early-withdrawal.repository';
import { allowedActions, assertAllowed, ReferralStatus } from './referral-lifecycle';
import { ReferralRecord, ReferralRepository } from './referral.repository';
import { GreenChannelService } from '../green-channel/green-channel.service';
import { ALERT_CODES, RoutingService } from './routing.service';

function notFound(): DomainException {
  return new DomainException('REFERRAL_NOT_FOUND', 'not-found', 'No such referral for this site');
}

function messagingAudit(subtype: string, referralId: string): AuditEntry {
  return {
    type: 'messaging',
    subtype,
    action: 'U',
    entityType: 'referral',
    entityId: referralId,
    purposeOfUse: 'TREAT',
  };
}

/** A site's request acts for the site: row-level security shows it only the referrals it holds. */
function siteActor(siteId: string): Actor {
  return organisationActor(siteId, 'rehab-site');
}

const ESCALATION_ACTOR = systemActor('escalation-sweeper');

function siteAudit(subtype: string, action: 'R' | 'U', referralId: string): AuditEntry {
  return {
    type: 'rest',
    subtype,
    action,
    entityType: 'referral',
    entityId: referralId,
    purposeOfUse: 'TREAT',
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Referrals at rehab-site: intake from registration, the holding site's decisions, SLA escalation. */
@Injectable()
export class ReferralsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly sites: SiteRepository,
    private readonly routing: RoutingService,
    private readonly publisher: EventPublisher,
    private readonly notifier: SiteNotifier,
    private readonly webhooks: WebhookRepository,
    private readonly earlyWithdrawals: EarlyWithdrawalRepository,
    private readonly contactSeal: SiteContactSeal,
    private readonly clock: Clock,
    private readonly divisions: DivisionDirectory,
    private readonly audit: AuditTrail,
    private readonly green: GreenChannelService,
    @Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig,
  ) {}

  // ---- events -------------------------------------------------------------------------------------------

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
      if (!routed) return void (await this.green.resume(received, now));
      await this.audit.record(messagingAudit('registered', data.referralId));
    }, SYSTEM_ACTOR);
  }

  /** referral.consent-withdrawn (community rehab): the assignment ends, the place is freed, the contact deleted. */
  async onConsentWithdrawn({ data }: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    if (data.purpose !== 'community-rehab') return;
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
   * The referral a withdrawal is for, locked; or, when rehab-site does not hold it (never registered, or its
   * registration not delivered here yet), the withdrawal recorded so that it is never routed, and undefined: a
   * no-op, acknowledged.
   */
  private async lockOrRecordEarlyWithdrawal(
    data: ReferralConsentWithdrawnData,
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

  // ---- escalation ---------------------------------------------------------------------------------------

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
        await this.routing.alert(
          ALERT_CODES.siteAnswerOverdue,
          'warning',
          'A site did not answer a referral within its window; re-routed',
          { referralId, siteId, hop: referral.hop },
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

  // ---- the holding site's API ---------------------------------------------------------------------------

  async list(siteId: string, query: SiteReferralQuery): Promise<ReferralPageDto> {
    // Above the page maximum → 400, as the contract says (never a silently shorter page).
    if (query.limit !== undefined && query.limit > this.config.pageLimitMax) {
      throw new DomainException('VALIDATION_FAILED', 'invalid', 'The request is not valid', {
        errors: [
          { pointer: '#/limit', detail: `limit must not be greater than ${this.config.pageLimitMax}` },
        ],
      });
    }
    const limit = query.limit ?? Math.min(20, this.config.pageLimitMax);
    const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
    const rows = await this.tx.run(async () => {
      const found = await this.referrals.pageForSite(siteId, query.status, after, limit + 1);
      // Every referral disclosed in the page is a read of it.
      await this.audit.recordAll(found.slice(0, limit).map((r) => siteAudit('search', 'R', r.referralId)));
      return found;
    }, siteActor(siteId));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.summary(r)),
      nextCursor:
        rows.length > limit && last?.assignedAt ? encodeKeysetCursor(last.assignedAt, last.referralId) : null,
    };
  }

  async get(siteId: string, referralId: string): Promise<ReferralDetailDto> {
    const referral = await this.audit.audited(
      siteActor(siteId),
      siteAudit('read', 'R', referralId),
      async () => {
        const held = await this.referrals.findHeldBy(siteId, referralId);
        if (!held) throw notFound();
        return held;
      },
    );
    const contact = referral.sealedContact ? this.contactSeal.open(referralId, referral.sealedContact) : null;
    return { ...this.summary(referral), contact };
  }

  async accept(siteId: string, referralId: string): Promise<ReferralActionResultDto> {
    return this.act(siteId, referralId, 'accept', async (referral, now) => {
      await this.referrals.setStatus(referralId, 'accepted', { acceptedAt: now });
      await this.publisher.publish(
        EVENTS.referralAccepted,
        { referralId, siteId, acceptedAt: now.toISOString() },
        { subject: referralId },
      );
      return this.result(referralId, 'accepted');
    });
  }

  /** Declines with a coded reason; the referral is re-routed at once and never offered to this site again. */
  async decline(siteId: string, referralId: string, dto: DeclineDto): Promise<ReferralActionResultDto> {
    return this.act(siteId, referralId, 'decline', async (referral, now) => {
      await this.referrals.exclude(
        referralId,
        siteId,
        'declined',
        referral.hop,
        now,
        dto.reasonCode,
        dto.reasonText,
      );
      if (referral.holdsPlace) await this.sites.releasePlace(siteId);
      await this.publisher.publish(
        EVENTS.referralDeclined,
        {
          referralId,
          siteId,
          reasonCode: dto.reasonCode,
          ...(dto.reasonText ? { reasonText: dto.reasonText } : {}),
          declinedAt: now.toISOString(),
        },
        { subject: referralId },
      );
      // Re-routing reads other sites' exclusions and hands the referral to another site: the service does it.
      await this.tx.elevated(() => this.routing.route(referral, now));
      return { referralId, status: 'declined', allowedActions: [] };
    });
  }

  async close(siteId: string, referralId: string, dto: CloseDto): Promise<ReferralActionResultDto> {
    return this.act(siteId, referralId, 'close', async (referral, now) => {
      if (referral.holdsPlace) await this.sites.releasePlace(siteId);
      await this.referrals.setStatus(referralId, 'closed', {
        closedAt: now,
        outcome: dto.outcome,
        followUp: { ...dto.followUp },
        holdsPlace: false,
      });
      await this.publisher.publish(
        EVENTS.referralClosed,
        { referralId, siteId, outcome: dto.outcome, closedAt: now.toISOString() },
        { subject: referralId },
      );
      return this.result(referralId, 'closed');
    });
  }

  /** A relapse: the green channel starts (GREEN stream); the referral is on hold at this site. */
  async reportRelapse(siteId: string, referralId: string, dto: RelapseDto): Promise<ReferralActionResultDto> {
    return this.act(siteId, referralId, 'report-relapse', async (referral, now) => {
      await this.green.enter(referral, siteId, dto.observedRiskLevel, 'relapse-report', now);
      return this.result(referralId, 'green-channel');
    });
  }

  async confirmEmploymentReadiness(
    siteId: string,
    referralId: string,
    _dto: EmploymentReadinessDto,
  ): Promise<ReferralActionResultDto> {
    return this.act(siteId, referralId, 'confirm-employment-readiness', async (referral, now) => {
      await this.publisher.publish(
        EVENTS.employmentReadinessConfirmed,
        { referralId, siteId, confirmedAt: now.toISOString() },
        { subject: referralId },
      );
      return this.result(referralId, referral.status);
    });
  }

  async recordPlan(siteId: string, referralId: string, dto: RehabPlanDto): Promise<ReferralActionResultDto> {
    return this.record(siteId, referralId, 'record-plan', 'plan', dto.startsAt, { ...dto }, {});
  }

  /** A session; the first one moves an accepted referral into service. */
  async recordSession(
    siteId: string,
    referralId: string,
    dto: ServiceSessionDto,
  ): Promise<ReferralActionResultDto> {
    return this.record(
      siteId,
      referralId,
      'record-session',
      'session',
      dto.date,
      { ...dto },
      {
        serviceType: dto.type,
        durationMinutes: dto.durationMinutes,
      },
    );
  }

  async recordAssessment(
    siteId: string,
    referralId: string,
    dto: PeriodicAssessmentDto,
  ): Promise<ReferralActionResultDto> {
    return this.record(
      siteId,
      referralId,
      'record-assessment',
      'assessment',
      dto.assessedAt,
      { ...dto },
      {
        riskLevel: dto.riskLevel,
        conditionStatus: dto.conditionStatus,
      },
    );
  }

  private record(
    siteId: string,
    referralId: string,
    action: 'record-plan' | 'record-session' | 'record-assessment',
    kind: ServiceRecordKind,
    occurredAt: string,
    details: object,
    published: Pick<
      ReferralServiceRecordedData,
      'serviceType' | 'durationMinutes' | 'riskLevel' | 'conditionStatus'
    >,
  ): Promise<ReferralActionResultDto> {
    return this.act(siteId, referralId, action, async (referral, now) => {
      await this.referrals.addServiceRecord({
        id: randomUUID(),
        referralId,
        siteId,
        kind,
        occurredAt,
        details,
        recordedAt: now,
      });
      let status: ReferralStatus = kind === 'session' ? 'in-service' : referral.status;
      if (status !== referral.status) await this.referrals.setStatus(referralId, status);
      await this.publisher.publish(
        EVENTS.referralServiceRecorded,
        { referralId, siteId, kind, occurredAt, ...published, recordedAt: now.toISOString() },
        { subject: referralId },
      );
      // Dynamic re-grading: a periodic assessment at high risk or unstable opens a green-channel case.
      const { riskLevel, conditionStatus } = published;
      if (kind === 'assessment' && riskLevel !== undefined && conditionStatus) {
        if (await this.green.regrade(referral, siteId, riskLevel, conditionStatus, now)) {
          status = 'green-channel';
        }
      }
      return this.result(referralId, status);
    });
  }

  /** The patient moved: the referral goes to the named site (which must accept it); this site loses it. */
  async transfer(siteId: string, referralId: string, dto: TransferDto): Promise<ReferralActionResultDto> {
    return this.act(siteId, referralId, 'transfer', async (referral, now) => {
      if (dto.toSiteId === siteId) {
        throw new DomainException(
          'TRANSFER_TO_SELF',
          'unprocessable',
          'The referral is already at this site',
        );
      }
      if (!(await this.sites.find(dto.toSiteId))) {
        throw new DomainException('TARGET_SITE_NOT_FOUND', 'unprocessable', `No site ${dto.toSiteId}`, {
          errors: [{ pointer: '#/toSiteId', detail: 'no such site' }],
        });
      }
      if (dto.newResidenceDivisionCode && !this.divisions.exists(dto.newResidenceDivisionCode)) {
        throw new DomainException('INVALID_DIVISION', 'invalid', 'Unknown division code', {
          errors: [{ pointer: '#/newResidenceDivisionCode', detail: 'not an administrative division' }],
        });
      }
      if (!(await this.sites.reservePlace(dto.toSiteId))) {
        throw new DomainException(
          'TARGET_SITE_FULL',
          'conflict',
          `${dto.toSiteId} has no free place or is not accepting`,
        );
      }
      if (referral.holdsPlace) await this.sites.releasePlace(siteId);
      if (dto.newResidenceDivisionCode) {
        await this.referrals.setResidence(referralId, dto.newResidenceDivisionCode);
      }
      await this.publisher.publish(
        EVENTS.referralTransferred,
        {
          referralId,
          fromSiteId: siteId,
          toSiteId: dto.toSiteId,
          ...(dto.newResidenceDivisionCode ? { newResidenceDivisionCode: dto.newResidenceDivisionCode } : {}),
          transferredAt: now.toISOString(),
        },
        { subject: referralId },
      );
      await this.notifier.revoked(
        { referralId, siteId, reason: 'transferred', revokedAt: now.toISOString() },
        now,
      );
      await this.tx.elevated(() => this.routing.assignTo(referral, dto.toSiteId, referral.hop + 1, now));
      return { referralId, status: 'transferred', allowedActions: [] };
    });
  }

  private act(
    siteId: string,
    referralId: string,
    action: Parameters<typeof assertAllowed>[1],
    work: (referral: ReferralRecord, now: Date) => Promise<ReferralActionResultDto>,
  ): Promise<ReferralActionResultDto> {
    return this.audit.audited(siteActor(siteId), siteAudit(action, 'U', referralId), async () => {
      const referral = await this.referrals.lockHeldBy(siteId, referralId);
      if (!referral) throw notFound();
      assertAllowed(referral.status, action);
      return work(referral, this.clock.now());
    });
  }

  private result(referralId: string, status: ReferralStatus): ReferralActionResultDto {
    return { referralId, status, allowedActions: allowedActions(status) };
  }

  private summary(r: ReferralRecord): ReferralSummaryDto {
    return {
      referralId: r.referralId,
      status: r.status,
      hop: r.hop,
      needs: r.needs,
      riskLevel: r.riskLevel,
      colourGrade: r.colourGrade,
      residenceDivisionCode: r.residenceDivisionCode,
      needsManualPlacement: r.needsManualPlacement,
      assignedAt: iso(r.assignedAt)!,
      answerDueAt: r.status === 'assigned' ? iso(r.answerDueAt) : null,
      acceptedAt: iso(r.acceptedAt),
      closedAt: iso(r.closedAt),
      outcome: r.outcome,
      allowedActions: allowedActions(r.status),
    };
  }
}
