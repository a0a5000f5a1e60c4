import { Inject, Injectable } from '@nestjs/common';
import {
  ConditionStatus,
  EventEnvelope,
  EVENTS,
  GreenReadmittedData,
  GreenTrigger,
  ReferralRegisteredData,
} from '@app/contracts';
import { AuditTrail, referralAudit } from '@app/audit';
import { Clock } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { SYSTEM_ACTOR, systemActor, TransactionHost } from '@app/persistence';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { SiteRepository } from '../directory/site.repository';
import { ReferralRecord, ReferralRepository } from '../referrals/referral.repository';
import { RoutingService } from '../referrals/routing.service';
import { GreenHoldRepository } from './green-hold.repository';

const HOLD_SWEEPER = systemActor('green-hold-sweeper');
const DAY_MS = 24 * 60 * 60 * 1000;

const audit = (subtype: string, referralId: string) => referralAudit('messaging', subtype, 'U', referralId);

/**
 * The green channel at the site: a relapse (or a periodic assessment that re-grades the patient) sends the
 * referral back to hospital; a readmission puts it on hold with the place kept for a while; the next
 * discharge resumes it, back at the same site if it still holds the place, else routed preferring it.
 */
@Injectable()
export class GreenChannelService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly holds: GreenHoldRepository,
    private readonly referrals: ReferralRepository,
    private readonly sites: SiteRepository,
    private readonly routing: RoutingService,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig,
  ) {}

  /**
   * 分色动态管理, in the site's transaction: a periodic assessment recomputes the referral's colour grade with
   * the one policy (`COLOUR_GRADE_RULES`) and stores it; at risk ≥ GREEN_REGRADE_FROM_RISK_LEVEL or an
   * unstable condition the referral also enters the green channel. True when it did.
   */
  async regrade(
    referral: ReferralRecord,
    siteId: string,
    riskLevel: number,
    conditionStatus: ConditionStatus,
    now: Date,
  ): Promise<boolean> {
    const { colourGrade } = this.config.colourGrades.assess(riskLevel, conditionStatus);
    if (colourGrade !== referral.colourGrade) {
      await this.referrals.setColourGrade(referral.referralId, colourGrade);
      await this.audit.record(audit('colour-regraded', referral.referralId));
    }
    if (riskLevel < this.config.regradeFromRiskLevel && conditionStatus !== 'unstable') return false;
    await this.enter(referral, siteId, riskLevel, 'periodic-assessment', now);
    return true;
  }

  /** In the site's transaction: the referral enters the green channel and hospital-intake is told. */
  async enter(
    referral: ReferralRecord,
    siteId: string,
    riskLevel: number,
    trigger: GreenTrigger,
    now: Date,
  ): Promise<void> {
    await this.referrals.setStatus(referral.referralId, 'green-channel');
    await this.publisher.publish(
      EVENTS.greenRelapseReported,
      {
        referralId: referral.referralId,
        siteId,
        observedRiskLevel: riskLevel,
        reportedAt: now.toISOString(),
        countyDivisionCode: referral.residenceDivisionCode.slice(0, 6),
        trigger,
      },
      { subject: referral.referralId },
    );
  }

  /** green.readmitted: the referral waits on hold; the site keeps the place for GREEN_PLACE_HOLD_DAYS. */
  async onReadmitted({ data }: EventEnvelope<GreenReadmittedData>): Promise<void> {
    await this.tx.run(async () => {
      const heldUntil = new Date(Date.parse(data.readmittedAt) + this.config.placeHoldDays * DAY_MS);
      if (await this.holds.holdForReadmission(data.referralId, heldUntil)) {
        await this.audit.record(audit('readmitted', data.referralId));
      }
    }, SYSTEM_ACTOR);
  }

  /** The hold sweeper's round: places whose hold ran out go back to their sites. */
  async releaseExpiredHolds(limit = 100): Promise<number> {
    const now = this.clock.now();
    return this.tx.run(async () => {
      const expired = await this.holds.lockExpiredHolds(now, limit);
      for (const { referralId, siteId } of expired) {
        await this.holds.releaseHold(referralId);
        await this.sites.releasePlace(siteId);
        await this.audit.record(audit('place-hold-expired', referralId));
      }
      return expired.length;
    }, HOLD_SWEEPER);
  }

  /**
   * referral.registered for a patient whose earlier referral waits in the green channel (discharged again, from
   * any hospital, under a new referral): the new referral takes over the held place at the same site, or is
   * routed preferring that site. False when the patient has no waiting referral (routed as usual).
   */
  async takeOver(data: ReferralRegisteredData, now: Date): Promise<boolean> {
    const waiting = await this.holds.lockWaitingOfPatient(data.patientRef, data.referralId);
    if (!waiting) return false;
    const recorded = await this.referrals.insertRegistered({
      ...data,
      ...(waiting.siteId ? { previousSiteId: waiting.siteId } : {}),
    });
    if (!recorded) return true; // known already: a re-publication
    await this.holds.supersede(waiting.referralId, now);
    if (waiting.holdsPlace && waiting.siteId) {
      await this.routing.assignTo(recorded, waiting.siteId, 1, now);
    } else {
      await this.routing.route(recorded, now);
    }
    await this.audit.record(audit('superseded-after-readmission', waiting.referralId));
    await this.audit.record(audit('resumed-after-green-channel', data.referralId));
    return true;
  }

  /**
   * referral.registered for a referral already here (the registration resumed after a green-channel stay):
   * back to the site that held it if it still keeps the place, else routed again preferring it. False when the
   * referral is not waiting in the green channel (a re-publication: no second effect).
   */
  async resume(data: ReferralRegisteredData, now: Date): Promise<boolean> {
    if (!(await this.holds.prepareResume(data))) return false;
    const referral = (await this.referrals.lock(data.referralId))!;
    if (referral.holdsPlace && referral.siteId) {
      await this.routing.assignTo(referral, referral.siteId, referral.hop + 1, now);
    } else {
      await this.routing.route(referral, now);
    }
    await this.audit.record(audit('resumed-after-green-channel', data.referralId));
    return true;
  }
}
