import { Inject, Injectable } from '@nestjs/common';
import {
  DeclineReason,
  EVENTS,
  isCommunityRisk,
  OPS_ALERT_CODES,
  OpsAlertCode,
  SERVICES,
} from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher, raiseOpsAlert } from '@app/messaging';
import { answerWindowMs, REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { RoutingTarget, SiteRepository } from '../directory/site.repository';
import { SiteNotifier } from '../webhooks/site-notifier.service';
import { NewReferral, ReferralRecord, ReferralRepository } from './referral.repository';

export const ALERT_CODES = {
  needsManualPlacement: OPS_ALERT_CODES.NEEDS_MANUAL_PLACEMENT,
  noSiteForReferral: OPS_ALERT_CODES.NO_SITE_FOR_REFERRAL,
  siteAnswerOverdue: OPS_ALERT_CODES.SITE_ANSWER_OVERDUE,
  unstableNotRouted: OPS_ALERT_CODES.UNSTABLE_REFERRAL_NOT_ROUTED,
  riskTooHighDeclined: OPS_ALERT_CODES.RISK_TOO_HIGH_FOR_COMMUNITY,
  patientRefused: OPS_ALERT_CODES.PATIENT_REFUSED_ROUTING_STOPPED,
  assessmentOverdue: OPS_ALERT_CODES.PERIODIC_ASSESSMENT_OVERDUE,
} as const;

export interface RoutingResult {
  siteId: string | null;
  hop: number;
  needsManualPlacement: boolean;
}

/**
 * Routing (DESIGN §4): residence community station → street/township site → county centre, filtered by needs,
 * eligibility (risk), accepting and free capacity, preferring the previous site, never a site that declined
 * or let this referral lapse, ties broken by free places then id. A place is reserved atomically. With no
 * candidate, or past the hop limit, the county centre gets it for manual placement and ops are alerted.
 * Runs inside the caller's transaction (the referral row is locked by the caller).
 */
@Injectable()
export class RoutingService {
  constructor(
    private readonly sites: SiteRepository,
    private readonly referrals: ReferralRepository,
    private readonly publisher: EventPublisher,
    private readonly notifier: SiteNotifier,
    private readonly divisions: DivisionDirectory,
    @Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig,
  ) {}

  /**
   * A registered referral's first routing: recorded and placed with the best candidate in one statement (see
   * `ReferralRepository.insertRegisteredAndPlace`), else sent for manual placement. Undefined when the referral
   * is already known (a re-publication under another id), withdrawn before it arrived, or unstable (risk 3–5:
   * never routed to a community site, not kept, ops alerted; registration's risk policy should have stopped it).
   */
  async registerAndRoute(referral: NewReferral, now: Date): Promise<RoutingResult | undefined> {
    if (!isCommunityRisk(referral.riskLevel)) {
      await this.alert(
        ALERT_CODES.unstableNotRouted,
        'critical',
        'A risk 3–5 referral reached routing; it is not routed to any community site',
        { referralId: referral.referralId, riskLevel: referral.riskLevel },
        now,
      );
      return undefined;
    }
    const hop = 1;
    if (hop > this.config.maxHops) {
      const recorded = await this.referrals.insertRegistered(referral);
      return recorded && this.route(recorded, now);
    }
    const answerDueAt = new Date(now.getTime() + answerWindowMs(this.config, referral.riskLevel));
    const placed = await this.referrals.insertRegisteredAndPlace(
      referral,
      this.divisions.ancestry(referral.residenceDivisionCode),
      { hop, assignedAt: now, answerDueAt },
    );
    if (!placed) return undefined;
    if (!placed.site) return this.manualPlacement(placed.referral, hop, now);
    await this.announce(placed.referral, placed.site, hop, now, answerDueAt, false);
    return { siteId: placed.site.id, hop, needsManualPlacement: false };
  }

  async route(referral: ReferralRecord, now: Date): Promise<RoutingResult> {
    const hop = referral.hop + 1;
    const areaCodes = this.divisions.ancestry(referral.residenceDivisionCode);
    if (hop <= this.config.maxHops) {
      const answerDueAt = this.answerDueAt(referral, now);
      // One round trip: the best candidate with a free place is chosen, reserved and assigned together.
      const site = await this.referrals.assignBestCandidate(
        {
          referralId: referral.referralId,
          areaCodes,
          needs: referral.needs,
          riskLevel: referral.riskLevel,
          previousSiteId: referral.previousSiteId,
          preferredSiteId: referral.preferredSiteId,
        },
        { hop, assignedAt: now, answerDueAt },
      );
      if (site) {
        await this.announce(referral, site, hop, now, answerDueAt, false);
        return { siteId: site.id, hop, needsManualPlacement: false };
      }
    }
    return this.manualPlacement(referral, hop, now);
  }

  /**
   * What a decline leads to (the decline is recorded, the site excluded and its place given back by the caller):
   * - `risk-too-high`: the site judged the patient beyond community care; bouncing it to the next community
   *   site would repeat that judgement, so the county centre gets it for manual placement (or referral on to a
   *   hospital) at once, and ops are alerted;
   * - `patient-refused`: the patient or guardian refused the service; offering it to another site is pointless
   *   and unwelcome, so routing stops (`patient-refused`, no site holds it) and ops are alerted to follow up with
   *   registration; ops may place it by hand once the patient agrees;
   * - anything else: the next candidate (`route`).
   */
  async afterDecline(
    referral: ReferralRecord,
    siteId: string,
    reasonCode: DeclineReason,
    now: Date,
  ): Promise<RoutingResult> {
    const details = { referralId: referral.referralId, siteId, hop: referral.hop };
    if (reasonCode === 'patient-refused') {
      await this.referrals.markPatientRefused(referral.referralId);
      await this.alert(
        ALERT_CODES.patientRefused,
        'warning',
        'The patient or guardian refused community rehab at the assigned site; routing stopped',
        details,
        now,
      );
      return { siteId: null, hop: referral.hop, needsManualPlacement: false };
    }
    if (reasonCode === 'risk-too-high') {
      await this.alert(
        ALERT_CODES.riskTooHighDeclined,
        'critical',
        'A site declined a referral as too risky for community care; sent to the county centre',
        details,
        now,
      );
      return this.manualPlacement(referral, referral.hop + 1, now);
    }
    return this.route(referral, now);
  }

  private async manualPlacement(referral: ReferralRecord, hop: number, now: Date): Promise<RoutingResult> {
    const countyCode = referral.residenceDivisionCode.slice(0, 6);
    const centre = await this.sites.countyCentreFor(countyCode, referral.referralId);
    const details = { referralId: referral.referralId, countyCode, hop };
    if (!centre) {
      await this.referrals.markUnplaced(referral.referralId, hop);
      await this.alert(
        ALERT_CODES.noSiteForReferral,
        'critical',
        'No site, not even a county centre, can take a referral',
        details,
        now,
      );
      return { siteId: null, hop, needsManualPlacement: true };
    }
    const holdsPlace = await this.sites.reservePlace(centre);
    await this.assign(referral, centre, hop, now, true, holdsPlace);
    await this.alert(
      ALERT_CODES.needsManualPlacement,
      'warning',
      'A referral went to the county centre for manual placement',
      { ...details, siteId: centre },
      now,
    );
    return { siteId: centre, hop, needsManualPlacement: true };
  }

  /** Assigns to a given site (a transfer): the caller reserved the place. */
  async assignTo(referral: ReferralRecord, siteId: string, hop: number, now: Date): Promise<void> {
    await this.assign(referral, siteId, hop, now, false, true);
  }

  private async assign(
    referral: ReferralRecord,
    siteId: string,
    hop: number,
    now: Date,
    needsManualPlacement: boolean,
    holdsPlace: boolean,
  ): Promise<void> {
    const answerDueAt = this.answerDueAt(referral, now);
    await this.referrals.assign(referral.referralId, {
      siteId,
      hop,
      assignedAt: now,
      answerDueAt,
      needsManualPlacement,
      holdsPlace,
    });
    const site = (await this.sites.routingTarget(siteId)) ?? {
      id: siteId,
      name: siteId,
      hasWebhook: false,
      contactAddress: null,
      contactPhone: null,
    };
    await this.announce(referral, site, hop, now, answerDueAt, needsManualPlacement);
  }

  private answerDueAt(referral: ReferralRecord, now: Date): Date {
    return new Date(now.getTime() + answerWindowMs(this.config, referral.riskLevel));
  }

  /**
   * referral.assigned (with the site's public address and phone when the directory has them), then the site's own
   * notice: both join this unit of work's outbox buffer, which is written in one statement at commit, in this order.
   */
  private async announce(
    referral: ReferralRecord,
    site: RoutingTarget,
    hop: number,
    now: Date,
    answerDueAt: Date,
    needsManualPlacement: boolean,
  ): Promise<void> {
    await this.publisher.publish(
      EVENTS.referralAssigned,
      {
        referralId: referral.referralId,
        siteId: site.id,
        siteName: site.name,
        ...(site.countyCode ? { siteCountyCode: site.countyCode } : {}),
        // The site's public front desk, from the directory, for the notice to the patient and guardian.
        ...(site.contactAddress ? { siteAddress: site.contactAddress } : {}),
        ...(site.contactPhone ? { sitePhone: site.contactPhone } : {}),
        hop,
        assignedAt: now.toISOString(),
        answerDueAt: answerDueAt.toISOString(),
        needsManualPlacement,
      },
      { subject: referral.referralId },
    );
    await this.notifier.assigned(
      {
        referralId: referral.referralId,
        siteId: site.id,
        hop,
        needs: referral.needs,
        riskLevel: referral.riskLevel,
        colourGrade: referral.colourGrade,
        assignedAt: now.toISOString(),
        answerDueAt: answerDueAt.toISOString(),
        needsManualPlacement,
      },
      now,
      { hasWebhook: site.hasWebhook },
    );
  }

  async alert(
    code: OpsAlertCode,
    severity: 'info' | 'warning' | 'critical',
    summary: string,
    details: Record<string, string | number | boolean>,
    now: Date,
  ): Promise<void> {
    await raiseOpsAlert(this.publisher, SERVICES.rehabSite, { code, severity, summary, details }, now);
  }
}
