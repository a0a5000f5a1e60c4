import { Inject, Injectable } from '@nestjs/common';
import {
  EVENTS,
  EventEnvelope,
  GreenEscalationCause,
  GreenRelapseReportedData,
  OPS_ALERT_CODES,
  OpsAlertCode,
  SERVICES,
} from '@app/contracts';
import { AuditTrail, referralAudit } from '@app/audit';
import { Clock } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { systemActor, SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { HospitalRepository } from '../hospitals/hospital.repository';
import { GreenCaseRecord, GreenCaseRepository } from './green-case.repository';
import { nextOnLadder, prefectureOf } from './green-ladder';
import { HospitalNotifier } from '../notices/hospital-notifier.service';
import { TimelineService } from '../timeline/timeline.service';

export const GREEN_ALERT_CODES = {
  unplaced: OPS_ALERT_CODES.GREEN_CASE_UNPLACED,
  unanswered: OPS_ALERT_CODES.GREEN_CASE_UNANSWERED,
  jointManagement: OPS_ALERT_CODES.GREEN_CASE_JOINT_MANAGEMENT,
} as const;

const SWEEPER = systemActor('green-sweeper');

/**
 * The green channel's escalation ladder: opens a case for a relapse report, offers it to the first hospital
 * that can take the patient back, and moves it on (declined, or not acknowledged in time) to the next
 * designated hospital of the county, then the prefecture's, then ops. Every step is an event with its time.
 */
@Injectable()
export class GreenLadderService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly cases: GreenCaseRepository,
    private readonly hospitals: HospitalRepository,
    private readonly notifier: HospitalNotifier,
    private readonly timeline: TimelineService,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(HOSPITAL_INTAKE_CONFIG) private readonly config: HospitalIntakeConfig,
  ) {}

  /** A relapse report (or a re-grading assessment) opens a case and offers it at once. */
  async onRelapseReported(event: EventEnvelope<GreenRelapseReportedData>): Promise<void> {
    const { referralId, siteId, observedRiskLevel, reportedAt } = event.data;
    await this.tx.run(async () => {
      const origin = await this.cases.referralOrigin(referralId);
      const opened = await this.cases.open({
        caseId: event.id,
        referralId,
        siteId,
        observedRiskLevel,
        trigger: event.data.trigger ?? 'relapse-report',
        reportedAt,
        countyDivisionCode: event.data.countyDivisionCode ?? origin?.countyCode ?? null,
        jointManagement: observedRiskLevel >= this.config.green.jointManagementFromLevel,
      });
      if (!opened) return;
      // The referring hospital's timeline (when the referral came from a hospital): the green channel started.
      await this.timeline.record(referralId, event.id, {
        step: 'relapse-reported',
        occurredAt: new Date(reportedAt),
        siteId,
      });
      await this.audit.record(messagingAudit('green-case-opened', referralId));
      const now = this.clock.now();
      if (opened.jointManagement) {
        await this.alert(
          GREEN_ALERT_CODES.jointManagement,
          'warning',
          'A green case at joint-management risk was opened (政法/公安/卫健 liaison)',
          opened,
          now,
        );
      }
      await this.offerNext(opened, origin?.hospitalId, now);
    }, SYSTEM_ACTOR);
  }

  /**
   * Moves a case off its current hospital (in the caller's transaction, with the case locked): the step is
   * published, the hospital told the case is withdrawn, and the next hospital on the ladder is asked.
   */
  async moveOn(c: GreenCaseRecord, cause: GreenEscalationCause, now: Date): Promise<void> {
    const from = c.hospitalId!;
    const origin = await this.cases.referralOrigin(c.referralId);
    const next = await this.next(c, origin?.hospitalId);
    await this.publisher.publish(
      EVENTS.greenEscalated,
      {
        referralId: c.referralId,
        caseId: c.caseId,
        hospitalId: from,
        cause,
        ...(next ? { toHospitalId: next.hospitalId } : {}),
        escalatedAt: now.toISOString(),
      },
      { subject: c.referralId },
    );
    await this.notifier.withdrawn(
      { referralId: c.referralId, caseId: c.caseId, hospitalId: from, cause, withdrawnAt: now.toISOString() },
      now,
    );
    await this.offerNext(c, origin?.hospitalId, now);
  }

  /** The sweeper's round: every offered case whose window passed moves on, each once across replicas. */
  async escalateOverdue(limit = 100): Promise<number> {
    const now = this.clock.now();
    const due = await this.tx.runAsSystem(() => this.cases.overdue(now, limit), SWEEPER);
    let moved = 0;
    for (const caseId of due) {
      const done = await this.tx.run(async () => {
        // SKIP LOCKED: a case another replica (or a hospital's answer) holds is not ours this round.
        const c = await this.cases.lock(caseId, { skipLocked: true });
        if (!c || c.status !== 'offered' || !c.answerDueAt || c.answerDueAt > now) return false;
        await this.alert(
          GREEN_ALERT_CODES.unanswered,
          'warning',
          'A hospital did not acknowledge a green case in time; moved on',
          c,
          now,
        );
        await this.moveOn(c, 'no-answer', now);
        await this.audit.record(messagingAudit('green-case-escalated', c.referralId));
        return true;
      }, SWEEPER);
      if (done) moved++;
    }
    return moved;
  }

  private async next(c: GreenCaseRecord, dischargingHospitalId: string | undefined) {
    const county = c.countyDivisionCode;
    const discharging = dischargingHospitalId
      ? await this.hospitals.findById(dischargingHospitalId)
      : undefined;
    return nextOnLadder({
      dischargingHospital: discharging,
      countyDesignated: county ? await this.hospitals.designated(county) : [],
      prefectureDesignated: county ? await this.hospitals.designated(prefectureOf(county)) : [],
      tried: c.tried,
    });
  }

  private async offerNext(c: GreenCaseRecord, dischargingHospitalId: string | undefined, now: Date) {
    const next = await this.next(c, dischargingHospitalId);
    if (!next) {
      await this.cases.markUnplaced(c.caseId);
      await this.alert(
        GREEN_ALERT_CODES.unplaced,
        'critical',
        'No hospital is left to take a green case: place the patient by hand',
        c,
        now,
      );
      return;
    }
    const { green } = this.config;
    const minutes =
      c.observedRiskLevel >= green.highRiskFromLevel
        ? green.ackWindowHighRiskMinutes
        : green.ackWindowMinutes;
    const answerDueAt = new Date(now.getTime() + minutes * 60_000);
    await this.cases.offer(c.caseId, next.hospitalId, next.route, now, answerDueAt);
    const step = {
      referralId: c.referralId,
      caseId: c.caseId,
      hospitalId: next.hospitalId,
      route: next.route,
      riskLevel: c.observedRiskLevel,
      jointManagement: c.jointManagement,
      answerDueAt: answerDueAt.toISOString(),
    };
    await this.publisher.publish(
      EVENTS.greenNotified,
      { ...step, step: c.step + 1, notifiedAt: now.toISOString() },
      { subject: c.referralId },
    );
    await this.notifier.offered({ ...step, offeredAt: now.toISOString() }, now);
  }

  private async alert(
    code: OpsAlertCode,
    severity: 'info' | 'warning' | 'critical',
    summary: string,
    c: GreenCaseRecord,
    now: Date,
  ): Promise<void> {
    await this.publisher.publish(
      EVENTS.opsAlertRaised,
      {
        code,
        severity,
        service: SERVICES.hospitalIntake,
        summary,
        details: {
          referralId: c.referralId,
          caseId: c.caseId,
          riskLevel: c.observedRiskLevel,
          ...(c.hospitalId ? { hospitalId: c.hospitalId } : {}),
          ...(c.countyDivisionCode ? { countyDivisionCode: c.countyDivisionCode } : {}),
        },
        raisedAt: now.toISOString(),
      },
      { subject: c.referralId },
    );
  }
}

export function messagingAudit(subtype: string, referralId: string) {
  return referralAudit('messaging', subtype, 'U', referralId);
}
