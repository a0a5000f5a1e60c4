import { Inject, Injectable } from '@nestjs/common';
import { EMPLOYMENT_PROGRAMMES, EVENTS } from '@app/contracts';
import { decodeKeysetCursor, DomainException, encodeKeysetCursor, pageLimit } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher } from '@app/messaging';
import { AuditTrail } from '@app/audit';
import { TransactionHost } from '@app/persistence';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { SiteRepository } from '../directory/site.repository';
import { GreenChannelService } from '../green-channel/green-channel.service';
import { SiteNotifier } from '../webhooks/site-notifier.service';
import {
  CloseDto,
  DeclineDto,
  EmploymentReadinessDto,
  ReferralActionResultDto,
  ReferralDetailDto,
  ReferralPageDto,
  ReferralSummaryDto,
  RelapseDto,
  SiteReferralQuery,
  TransferDto,
} from './dto/referral.dto';
import { EmploymentReadinessGate } from './employment-readiness.service';
import { allowedActions } from './referral-lifecycle';
import { ReferralRecord, ReferralRepository } from './referral.repository';
import { EmploymentOutcomeService } from '../employment/employment-outcome.service';
import { RoutingService } from './routing.service';
import { SiteContactSeal } from './site-contact-seal';
import { notFound, SiteActions, siteActor, siteAudit } from './site-actions';
import { SubjectFileService } from './subject-file.service';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The holding site's view and decisions: its page of referrals, one referral, accept / decline / close, relapse, readiness, transfer. */
@Injectable()
export class SiteDecisionsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly sites: SiteRepository,
    private readonly routing: RoutingService,
    private readonly publisher: EventPublisher,
    private readonly notifier: SiteNotifier,
    private readonly contactSeal: SiteContactSeal,
    private readonly divisions: DivisionDirectory,
    private readonly audit: AuditTrail,
    private readonly readinessGate: EmploymentReadinessGate,
    private readonly green: GreenChannelService,
    private readonly actions: SiteActions,
    private readonly file: SubjectFileService,
    private readonly employment: EmploymentOutcomeService,
    @Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig,
  ) {}

  async list(siteId: string, query: SiteReferralQuery): Promise<ReferralPageDto> {
    // Above the page maximum → 400, as the contract says (never a silently shorter page).
    const limit = pageLimit(query.limit, this.config.pageLimitMax);
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
    const { referral, employment } = await this.audit.audited(
      siteActor(siteId),
      siteAudit('read', 'R', referralId),
      async () => {
        const held = await this.referrals.findHeldBy(siteId, referralId);
        if (!held) throw notFound();
        return { referral: held, employment: await this.employment.latest(referralId) };
      },
    );
    const contact = referral.sealedContact ? this.contactSeal.open(referralId, referral.sealedContact) : null;
    return {
      ...this.summary(referral),
      contact,
      employment: employment ? { ...employment, changedAt: employment.changedAt.toISOString() } : null,
    };
  }

  async accept(siteId: string, referralId: string): Promise<ReferralActionResultDto> {
    return this.actions.run(siteId, referralId, 'accept', async (referral, now) => {
      await this.referrals.setStatus(referralId, 'accepted', { acceptedAt: now });
      // The site's level and area travel with the acceptance: ops-monitor's coverage indicators read them.
      const site = await this.sites.find(siteId);
      await this.publisher.publish(
        EVENTS.referralAccepted,
        {
          referralId,
          siteId,
          acceptedAt: now.toISOString(),
          ...(site ? { siteLevel: site.level, siteAreaCodes: site.areaCodes } : {}),
        },
        { subject: referralId },
      );
      await this.file.summarise(referralId, siteId, 'accepted', referral.reviewBy, now);
      return this.actions.result(referralId, 'accepted');
    });
  }

  /**
   * Declines with a coded reason; never offered to this site again. What happens next depends on the reason:
   * `risk-too-high` goes to the county centre for manual placement (not to the next community site) and ops are
   * alerted; `patient-refused` stops routing (status `patient-refused`, ops alerted, ops may place it later);
   * every other reason re-routes it at once.
   */
  async decline(siteId: string, referralId: string, dto: DeclineDto): Promise<ReferralActionResultDto> {
    return this.actions.run(siteId, referralId, 'decline', async (referral, now) => {
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
      await this.tx.elevated(() => this.routing.afterDecline(referral, siteId, dto.reasonCode, now));
      return { referralId, status: 'declined', allowedActions: [] };
    });
  }

  async close(siteId: string, referralId: string, dto: CloseDto): Promise<ReferralActionResultDto> {
    return this.actions.run(siteId, referralId, 'close', async (referral, now) => {
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
      await this.file.summarise(referralId, siteId, 'closed', referral.reviewBy, now);
      return this.actions.result(referralId, 'closed');
    });
  }

  /** A relapse: the green channel starts (GREEN stream); the referral is on hold at this site. */
  async reportRelapse(siteId: string, referralId: string, dto: RelapseDto): Promise<ReferralActionResultDto> {
    return this.actions.run(siteId, referralId, 'report-relapse', async (referral, now) => {
      await this.green.enter(referral, siteId, dto.observedRiskLevel, 'relapse-report', now);
      return this.actions.result(referralId, 'green-channel');
    });
  }

  async confirmEmploymentReadiness(
    siteId: string,
    referralId: string,
    dto: EmploymentReadinessDto,
  ): Promise<ReferralActionResultDto> {
    return this.actions.run(siteId, referralId, 'confirm-employment-readiness', async (referral, now) => {
      await this.readinessGate.assertReady(referral, dto.willing, now);
      await this.publisher.publish(
        EVENTS.employmentReadinessConfirmed,
        {
          referralId,
          siteId,
          residenceDivisionCode: referral.residenceDivisionCode,
          programmes: dto.programmes ?? [...EMPLOYMENT_PROGRAMMES],
          confirmedAt: now.toISOString(),
        },
        { subject: referralId },
      );
      return this.actions.result(referralId, referral.status);
    });
  }

  /** The patient moved: the referral goes to the named site (which must accept it); this site loses it. */
  async transfer(siteId: string, referralId: string, dto: TransferDto): Promise<ReferralActionResultDto> {
    return this.actions.run(siteId, referralId, 'transfer', async (referral, now) => {
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
      // The file goes with the referral: the new site reads all of it, this one no longer can.
      await this.file.summarise(referralId, dto.toSiteId, 'assigned', referral.reviewBy, now);
      return { referralId, status: 'transferred', allowedActions: [] };
    });
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
