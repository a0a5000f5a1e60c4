import { Injectable } from '@nestjs/common';
import {
  EmploymentStageChangedData,
  EventEnvelope,
  ReferralApplicationEndedData,
  ReferralAssignedData,
  ReferralClosedData,
  ReferralConsentWithdrawnData,
  ReferralRegisteredData,
} from '@app/contracts';
import { DomainException } from '@app/core';
import { AuditEntry, AuditTrail } from '@app/audit';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { AuthenticatedHospital, hospitalActor } from '../hospitals/hospital.types';
import { ReferralViewDto } from './dto/referral-view.dto';
import { ReferralRecord, ReferralRepository } from './referral.repository';

function stageOf(r: ReferralRecord): ReferralViewDto['stage'] {
  if (r.status === 'consent-withdrawn') return 'consent-withdrawn';
  if (r.status === 'refused' || r.status === 'linked-to-existing') return r.status;
  if (r.status === 'closed') return 'closed';
  if (r.greenReportedAt) return 'green-channel';
  if (r.status === 'registered') return 'routing';
  if (r.status === 'awaiting-assessment') return 'awaiting-assessment';
  return r.eligibleForCommunityRehab ? 'awaiting-consent' : 'hospital-follow-up';
}

/** The referring hospital's view of its referrals, kept current by the events that close the loop. */
@Injectable()
export class ReferralService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly audit: AuditTrail,
  ) {}

  async get(hospital: AuthenticatedHospital, referralId: string): Promise<ReferralViewDto> {
    const read: AuditEntry = {
      type: 'rest',
      subtype: 'read',
      action: 'R',
      entityType: 'referral',
      entityId: referralId,
      purposeOfUse: 'TREAT',
    };
    return this.audit.audited(hospitalActor(hospital), read, async () => {
      const r = await this.referrals.findForHospital(hospital.id, referralId);
      if (!r) throw new DomainException('REFERRAL_NOT_FOUND', 'not-found', `No referral ${referralId}`);
      return this.view(r);
    });
  }

  private view(r: ReferralRecord): ReferralViewDto {
    return {
      referralId: r.id,
      encounterId: r.encounterId,
      channel: r.channel,
      status: r.status,
      stage: stageOf(r),
      dischargedAt: r.dischargedAt.toISOString(),
      riskLevel: r.riskLevel,
      colourGrade: r.colourGrade,
      eligibleForCommunityRehab: r.eligibleForCommunityRehab,
      registeredAt: r.registeredAt?.toISOString() ?? null,
      assignedSite: r.assignedSiteName ? { name: r.assignedSiteName } : null,
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
      updatedAt: r.updatedAt.toISOString(),
    };
  }

  /** Referrals that did not come from a hospital (self-applications…) are not ours: nothing to do. */
  async onRegistered(event: EventEnvelope<ReferralRegisteredData>): Promise<void> {
    const { referralId, registrationId, registeredAt } = event.data;
    await this.changed(referralId, 'registered', () =>
      this.referrals.markRegistered(referralId, registrationId, registeredAt),
    );
  }

  async onAssigned(event: EventEnvelope<ReferralAssignedData>): Promise<void> {
    const { referralId, siteName, assignedAt } = event.data;
    await this.changed(referralId, 'assigned', () =>
      this.referrals.markAssigned(referralId, siteName, assignedAt),
    );
  }

  /** Only a withdrawal for community rehab ends the referral; an employment-only one does not concern us. */
  async onConsentWithdrawn(event: EventEnvelope<ReferralConsentWithdrawnData>): Promise<void> {
    if (event.data.purpose !== 'community-rehab') return;
    await this.changed(event.data.referralId, 'consent-withdrawn', () =>
      this.referrals.markConsentWithdrawn(event.data.referralId),
    );
  }

  /** Refused, or linked to the person's existing registration: the hospital sees that, and nothing more. */
  async onApplicationEnded(event: EventEnvelope<ReferralApplicationEndedData>): Promise<void> {
    const { referralId, outcome, reasonCode, endedAt } = event.data;
    await this.changed(referralId, 'application-ended', () =>
      this.referrals.markApplicationEnded(referralId, outcome, reasonCode, endedAt),
    );
  }

  async onClosed(event: EventEnvelope<ReferralClosedData>): Promise<void> {
    const { referralId, outcome, closedAt } = event.data;
    await this.changed(referralId, 'closed', () => this.referrals.markClosed(referralId, outcome, closedAt));
  }

  /** employment.stage-changed: the hospital sees where its patient's employment referral stands. */
  async onEmploymentStageChanged(event: EventEnvelope<EmploymentStageChangedData>): Promise<void> {
    await this.changed(event.data.referralId, 'employment-stage-changed', () =>
      this.referrals.markEmploymentStage(event.data),
    );
  }

  /**
   * Applies an event's effect as the service itself (it joins the handler's transaction) and audits the
   * change of the referral in the same transaction. Referrals that are not ours change nothing: no record.
   */
  private async changed(referralId: string, subtype: string, effect: () => Promise<unknown>): Promise<void> {
    await this.tx.run(async () => {
      const result = await effect();
      if (result === false || result === 0) return;
      await this.audit.record({
        type: 'messaging',
        subtype,
        action: 'U',
        entityType: 'referral',
        entityId: referralId,
        purposeOfUse: 'TREAT',
      });
    }, SYSTEM_ACTOR);
  }
}
