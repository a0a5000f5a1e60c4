import { Injectable, Logger } from '@nestjs/common';
import { EventEnvelope, PatientIdentityDto, ReferralAssessedData, referralSealContext } from '@app/contracts';
import { FieldCipher } from '@app/crypto';
import { AuditTrail } from '@app/audit';
import { TimelineService } from '../timeline/timeline.service';
import { DischargeRepository, NewAssessment } from './discharge.repository';
import { INTAKE_SEAL_CONTEXTS, receiptAudit } from './discharge.service';

/**
 * hospital-intake's own `referral.assessed`, back on its whole-stream durable: normally the referral it describes
 * is there (one primary-key look-up, nothing else). After a database restore it may not be (accepted after the
 * backup) or may still await its assessment (completed after it): then the referral is rebuilt from the event —
 * the patient re-sealed for hospital-intake, the ID number's blind index recomputed, the assessment and the
 * hospital's first timeline step — and marked restored. Nothing is published: the events exist downstream.
 * (`referral.discharged` alone does not carry the patient: a referral still awaiting its assessment when the
 * backup was taken and discharged after it cannot be rebuilt; the hospital re-sends it.)
 */
@Injectable()
export class ReferralRebuildService {
  private readonly logger = new Logger(ReferralRebuildService.name);

  constructor(
    private readonly repository: DischargeRepository,
    private readonly cipher: FieldCipher,
    private readonly timeline: TimelineService,
    private readonly audit: AuditTrail,
  ) {}

  /** Runs in the event handler's transaction. */
  async onOwnAssessed(event: EventEnvelope<ReferralAssessedData>): Promise<void> {
    const data = event.data;
    const status = await this.repository.statusOf(data.referralId);
    if (status !== undefined && status !== 'awaiting-assessment') return;
    const assessment: NewAssessment = {
      riskLevel: data.riskLevel,
      conditionStatus: data.conditionStatus,
      functionalScores: [],
      rehabNeeds: data.rehabNeeds,
      employmentInterest: data.employmentInterest,
      colourGrade: data.colourGrade,
      eligibleForCommunityRehab: data.eligibleForCommunityRehab,
      assessedAt: data.assessedAt,
    };
    if (status === 'awaiting-assessment') {
      // Completed after the backup: the restored row still waits for what the event says was recorded.
      await this.repository.completeAssessment(data.referralId, data.hospitalId, assessment);
      await this.audit.record(receiptAudit('assessment-restored', 'U', data.referralId));
      this.logger.log(`referral ${data.referralId}: assessment restored from ${event.id}`);
      return;
    }
    // A patient block that does not open (tampered with, or copied from another referral) is refused as a
    // security event and dead-lettered at once, as registration does, not retried as if it were transient.
    const identity = this.cipher.openReceivedJson<PatientIdentityDto>(
      data.sealedPatient,
      referralSealContext('patient', data.referralId),
      'PATIENT_SEAL_INVALID',
      'the sealed patient',
    );
    // Events published before dischargedAt was added: a discharge sent with its assessment is assessed at
    // discharge unless the hospital said otherwise, so the assessment time is the closest known.
    const dischargedAt = data.dischargedAt ?? data.assessedAt;
    const inserted = await this.repository.insertRestoredReferral(
      {
        id: data.referralId,
        hospitalId: data.hospitalId,
        encounterId: data.encounterId,
        dischargedAt,
        residenceDivisionCode: data.residenceDivisionCode,
        sealedPatient: this.cipher.sealJson(identity, INTAKE_SEAL_CONTEXTS.patient),
        idNumberIndex: this.cipher.blindIndex(identity.idNumber, INTAKE_SEAL_CONTEXTS.idNumberIndex),
        consents: data.consents,
      },
      assessment,
    );
    // Taken meanwhile by a re-sent discharge of the same encounter (a new referral id): that one stands.
    if (!inserted) return;
    await this.timeline.restore(data.referralId, event.id, {
      step: 'discharged',
      occurredAt: new Date(dischargedAt),
    });
    await this.audit.record(receiptAudit('restored', 'C', data.referralId));
    this.logger.log(`referral ${data.referralId}: rebuilt from ${event.id} after a restore`);
  }
}
