import { Inject, Injectable } from '@nestjs/common';
import {
  EmploymentStageChangedData,
  EVENTS,
  EventEnvelope,
  ReferralAcceptedData,
  ReferralApplicationEndedData,
  ReferralAssignedData,
  ReferralClosedData,
  ReferralConsentWithdrawnData,
  ReferralDeclinedData,
  ReferralEscalatedData,
  ReferralRegisteredData,
  ReferralRegistrationExpiredData,
  ReferralServiceRecordedData,
  ReferralTransferredData,
} from '@app/contracts';
import { Clock, decodeKeysetCursor, DomainException, encodeKeysetCursor, pageLimit } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher } from '@app/messaging';
import { AuditEntry, AuditTrail } from '@app/audit';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { AuthenticatedHospital, hospitalActor } from '../hospitals/hospital.types';
import { LockedReferralHolder, StepInput, StepRecord } from '../timeline/timeline.repository';
import { TimelineService } from '../timeline/timeline.service';
import {
  CancelReferralDto,
  ReferralAction,
  ReferralListQuery,
  ReferralPageDto,
  ReferralViewDto,
  TimelineStepDto,
} from './dto/referral-view.dto';
import { referralTask } from './fhir-task';
import { ReferralRecord, ReferralRepository } from './referral.repository';

/** Statuses a hospital may still cancel from (and then only while no site has accepted the referral). */
const CANCELLABLE_STATUSES: readonly ReferralRecord['status'][] = [
  'awaiting-assessment',
  'assessed',
  'registered',
];

function readAudit(entityId: string, subtype = 'read'): AuditEntry {
  return { type: 'rest', subtype, action: 'R', entityType: 'referral', entityId, purposeOfUse: 'TREAT' };
}

/**
 * The referring hospital's view of its referrals, kept current by the events that close the loop: each event
 * updates the referral and appends one step to its timeline (pushed to the hospital on its NATS subject and
 * webhook). The hospital reads it as JSON or as a FHIR Task, lists its referrals, and may cancel one before a
 * site accepts it.
 */
@Injectable()
export class ReferralService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly timeline: TimelineService,
    private readonly publisher: EventPublisher,
    private readonly divisions: DivisionDirectory,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(HOSPITAL_INTAKE_CONFIG) private readonly config: HospitalIntakeConfig,
  ) {}

  async get(hospital: AuthenticatedHospital, referralId: string): Promise<ReferralViewDto> {
    return this.audit.audited(hospitalActor(hospital), readAudit(referralId), async () => {
      const r = await this.referrals.findForHospital(hospital.id, referralId);
      if (!r) throw notFound(referralId);
      return this.view(r, await this.timeline.stepsOf([r.id]));
    });
  }

  /** The referral as a FHIR R4 Task (status and businessStatus from the lifecycle, history as Task.output). */
  async fhirTask(hospital: AuthenticatedHospital, referralId: string): Promise<Record<string, unknown>> {
    return referralTask(await this.get(hospital, referralId), hospital.id);
  }

  async list(hospital: AuthenticatedHospital, query: ReferralListQuery): Promise<ReferralPageDto> {
    // Above the page maximum → 400, as every list answers (never a silently shorter page).
    const limit = pageLimit(query.limit, this.config.referralPageLimitMax);
    const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
    const from = query.from ? new Date(query.from) : undefined;
    const to = query.to ? new Date(query.to) : undefined;
    if (from && to && from >= to) {
      throw new DomainException('VALIDATION_FAILED', 'invalid', 'The request is not valid', {
        errors: [{ pointer: '#/to', detail: 'to must be later than from' }],
      });
    }
    return this.tx.run(async () => {
      const rows = await this.referrals.pageForHospital(
        hospital.id,
        { status: query.status, stage: query.stage, from, to, siteId: query.siteId },
        after,
        limit + 1,
      );
      const page = rows.slice(0, limit);
      const steps = await this.timeline.stepsOf(page.map((r) => r.id));
      const last = page[page.length - 1];
      await this.audit.record(readAudit('list', 'list'));
      return {
        items: page.map((r) =>
          this.view(
            r,
            steps.filter((s) => s.referralId === r.id),
          ),
        ),
        nextCursor: rows.length > limit && last ? encodeKeysetCursor(last.dischargedAt, last.id) : null,
      };
    }, hospitalActor(hospital));
  }

  /**
   * The referring hospital cancels before a site accepted: referral.cancelled (registration ends the
   * application; rehab-site frees the place and tells the site) and a `cancelled` step, in one transaction.
   * Later → 409 ILLEGAL_TRANSITION with what the hospital may still do.
   */
  async cancel(
    hospital: AuthenticatedHospital,
    referralId: string,
    dto: CancelReferralDto,
  ): Promise<ReferralViewDto> {
    return this.tx.run(async () => {
      const r = await this.referrals.findForHospital(hospital.id, referralId, true);
      if (!r) throw notFound(referralId);
      const steps = await this.timeline.stepsOf([r.id]);
      if (!this.allowedActions(r, steps).includes('cancel')) {
        throw new DomainException(
          'ILLEGAL_TRANSITION',
          'conflict',
          `A referral at stage ${r.stage} cannot be cancelled: only before a site accepts it`,
          { status: r.status, stage: r.stage, allowedActions: this.allowedActions(r, steps) },
        );
      }
      const now = this.clock.now();
      await this.referrals.markCancelled(r.id, dto.reasonCode, now);
      const eventId = await this.publisher.publish(
        EVENTS.referralCancelled,
        {
          referralId: r.id,
          hospitalId: hospital.id,
          reasonCode: dto.reasonCode,
          cancelledAt: now.toISOString(),
        },
        { subject: r.id },
      );
      await this.timeline.record(r.id, eventId, { step: 'cancelled', occurredAt: now, code: dto.reasonCode });
      await this.audit.record({
        type: 'rest',
        subtype: 'cancel',
        action: 'U',
        entityType: 'referral',
        entityId: r.id,
        purposeOfUse: 'TREAT',
      });
      const updated = (await this.referrals.findForHospital(hospital.id, r.id))!;
      return this.view(updated, await this.timeline.stepsOf([r.id]));
    }, hospitalActor(hospital));
  }

  private allowedActions(r: ReferralRecord, steps: StepRecord[]): ReferralAction[] {
    const acceptedOnce =
      steps.some((s) => s.step === 'accepted') ||
      r.siteStatus === 'accepted' ||
      r.siteStatus === 'in-service';
    return CANCELLABLE_STATUSES.includes(r.status) && !r.greenReportedAt && !acceptedOnce ? ['cancel'] : [];
  }

  private view(r: ReferralRecord, steps: StepRecord[]): ReferralViewDto {
    return {
      referralId: r.id,
      encounterId: r.encounterId,
      channel: r.channel,
      status: r.status,
      stage: r.stage,
      dischargedAt: r.dischargedAt.toISOString(),
      riskLevel: r.riskLevel,
      colourGrade: r.colourGrade,
      eligibleForCommunityRehab: r.eligibleForCommunityRehab,
      registeredAt: r.registeredAt?.toISOString() ?? null,
      assignedSite: r.assignedSiteId
        ? {
            id: r.assignedSiteId,
            name: r.assignedSiteName,
            countyCode: r.assignedSiteCounty,
            countyName: (r.assignedSiteCounty && this.divisions.find(r.assignedSiteCounty)?.name) || null,
          }
        : null,
      outcome: r.outcome && r.closedAt ? { outcome: r.outcome, closedAt: r.closedAt.toISOString() } : null,
      relapseReportedAt: r.greenReportedAt?.toISOString() ?? null,
      applicationEnded:
        r.endReason && r.endedAt ? { reasonCode: r.endReason, endedAt: r.endedAt.toISOString() } : null,
      assessmentDueAt: r.assessmentDueAt?.toISOString() ?? null,
      assessmentReminderSentAt: r.assessmentRemindedAt?.toISOString() ?? null,
      employment:
        r.employmentStage && r.employmentChangedAt
          ? {
              stage: r.employmentStage,
              placementType: r.employmentPlacementType,
              endReason: r.employmentEndReason,
              changedAt: r.employmentChangedAt.toISOString(),
            }
          : null,
      cancellation:
        r.cancelReason && r.cancelledAt
          ? { reasonCode: r.cancelReason, cancelledAt: r.cancelledAt.toISOString() }
          : null,
      allowedActions: this.allowedActions(r, steps),
      timeline: steps.map(stepDto),
      updatedAt: r.updatedAt.toISOString(),
    };
  }

  /** Referrals that did not come from a hospital (self-applications…) are not ours: nothing to do. */
  async onRegistered(event: EventEnvelope<ReferralRegisteredData>): Promise<void> {
    const { referralId, registrationId, registeredAt } = event.data;
    await this.changed(
      event,
      'registered',
      () => this.referrals.markRegistered(referralId, registrationId, registeredAt),
      {
        step: 'registered',
        occurredAt: new Date(registeredAt),
      },
    );
  }

  async onAssigned(event: EventEnvelope<ReferralAssignedData>): Promise<void> {
    const { referralId, siteId, siteName, siteCountyCode, assignedAt } = event.data;
    await this.changed(
      event,
      'assigned',
      () =>
        this.referrals.markAssigned(
          referralId,
          { id: siteId, name: siteName, countyCode: siteCountyCode ?? null },
          assignedAt,
        ),
      { step: 'assigned', occurredAt: new Date(assignedAt), siteId, siteName, siteCountyCode },
    );
  }

  async onAccepted(event: EventEnvelope<ReferralAcceptedData>): Promise<void> {
    const { referralId, siteId, acceptedAt } = event.data;
    await this.changed(event, 'accepted', () => this.referrals.markAccepted(referralId, siteId), {
      step: 'accepted',
      occurredAt: new Date(acceptedAt),
      siteId,
    });
  }

  /** The decline's coded reason only: its free text is the site's own note. */
  async onDeclined(event: EventEnvelope<ReferralDeclinedData>): Promise<void> {
    const { referralId, siteId, reasonCode, declinedAt } = event.data;
    await this.changed(event, 'declined', () => this.referrals.markAnswerMissed(referralId, siteId), {
      step: 'declined',
      occurredAt: new Date(declinedAt),
      siteId,
      code: reasonCode,
    });
  }

  async onEscalated(event: EventEnvelope<ReferralEscalatedData>): Promise<void> {
    const { referralId, siteId, escalatedAt } = event.data;
    await this.changed(event, 'escalated', () => this.referrals.markAnswerMissed(referralId, siteId), {
      step: 'escalated',
      occurredAt: new Date(escalatedAt),
      siteId,
    });
  }

  /** In service: the first session of the accepted referral; later records are not the hospital's business. */
  async onServiceRecorded(event: EventEnvelope<ReferralServiceRecordedData>): Promise<void> {
    const { referralId, siteId, occurredAt, kind } = event.data;
    // As at rehab-site: the first session starts service (a plan or an assessment alone does not).
    if (kind !== 'session') return;
    await this.tx.run(async () => {
      const changed = await this.referrals.markInService(referralId, siteId);
      if (!changed) return;
      await this.timeline.record(
        referralId,
        event.id,
        { step: 'in-service', occurredAt: new Date(occurredAt), siteId },
        changed,
      );
      await this.audit.record(messagingAudit('in-service', referralId));
    }, SYSTEM_ACTOR);
  }

  async onTransferred(event: EventEnvelope<ReferralTransferredData>): Promise<void> {
    const { referralId, toSiteId, transferredAt } = event.data;
    await this.changed(event, 'transferred', () => this.referrals.markTransferred(referralId, toSiteId), {
      step: 'transferred',
      occurredAt: new Date(transferredAt),
      siteId: toSiteId,
    });
  }

  /** Only a withdrawal for community rehab ends the referral; an employment-only one does not concern us. */
  async onConsentWithdrawn(event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    if (event.data.purpose !== 'community-rehab') return;
    await this.changed(
      event,
      'consent-withdrawn',
      () => this.referrals.markConsentWithdrawn(event.data.referralId),
      {
        step: 'consent-withdrawn',
        occurredAt: new Date(event.data.withdrawnAt),
      },
    );
  }

  /** Refused, or linked to the person's existing registration: the hospital sees that, and nothing more. */
  async onApplicationEnded(event: EventEnvelope<ReferralApplicationEndedData>): Promise<void> {
    const { referralId, outcome, reasonCode, endedAt } = event.data;
    await this.changed(
      event,
      'application-ended',
      () => this.referrals.markApplicationEnded(referralId, outcome, reasonCode, endedAt),
      { step: 'application-ended', occurredAt: new Date(endedAt), code: outcome },
    );
  }

  /** Registration waited in vain for a consent: the hospital sees which purpose, and that the referral ended. */
  async onRegistrationExpired(event: EventEnvelope<ReferralRegistrationExpiredData>): Promise<void> {
    const { referralId, purpose, expiredAt } = event.data;
    await this.changed(
      event,
      'registration-expired',
      () => this.referrals.markRegistrationExpired(referralId, expiredAt),
      { step: 'registration-expired', occurredAt: new Date(expiredAt), code: purpose },
    );
  }

  async onClosed(event: EventEnvelope<ReferralClosedData>): Promise<void> {
    const { referralId, siteId, outcome, closedAt } = event.data;
    await this.changed(event, 'closed', () => this.referrals.markClosed(referralId, outcome, closedAt), {
      step: 'closed',
      occurredAt: new Date(closedAt),
      siteId,
      code: outcome,
    });
  }

  /**
   * employment.stage-changed: the hospital sees where its patient's employment referral stands (on the referral
   * view; employment steps are not lifecycle steps of the timeline).
   */
  async onEmploymentStageChanged(event: EventEnvelope<EmploymentStageChangedData>): Promise<void> {
    await this.changed(event, 'employment-stage-changed', () =>
      this.referrals.markEmploymentStage(event.data),
    );
  }

  /**
   * Applies an event's effect as the service itself (it joins the handler's transaction), appends its step to
   * the referral's timeline (pushed to the hospital) and audits a change of the referral, in the same
   * transaction. A referral that is not ours changes nothing and gets no step; a stale event (an older
   * assignment, an answer of a site no longer assigned) still takes its place on the timeline.
   */
  private async changed(
    event: EventEnvelope<{ referralId: string }>,
    subtype: string,
    effect: () => Promise<LockedReferralHolder | undefined>,
    step?: StepInput,
  ): Promise<void> {
    const { referralId } = event.data;
    await this.tx.run(async () => {
      // A change locked the row and answered its hospital; a stale event changes nothing but still has its step.
      const changed = await effect();
      if (step) await this.timeline.record(referralId, event.id, step, changed);
      if (changed) await this.audit.record(messagingAudit(subtype, referralId));
    }, SYSTEM_ACTOR);
  }
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

function notFound(referralId: string): DomainException {
  return new DomainException('REFERRAL_NOT_FOUND', 'not-found', `No referral ${referralId}`);
}

function stepDto(s: StepRecord): TimelineStepDto {
  return {
    sequence: s.sequence,
    step: s.step,
    occurredAt: s.occurredAt.toISOString(),
    ...(s.siteId ? { siteId: s.siteId } : {}),
    ...(s.siteName ? { siteName: s.siteName } : {}),
    ...(s.siteCountyCode ? { siteCountyCode: s.siteCountyCode } : {}),
    ...(s.code ? { code: s.code } : {}),
  };
}
