import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import {
  EVENTS,
  EventEnvelope,
  GreenRelapseReportedData,
  PatientIdentityDto,
  ReferralAssessedData,
  ReferralConsentsAddedData,
  referralSealContext,
  validateSyncCompiled,
} from '@app/contracts';
import { DomainException } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { FieldCipher } from '@app/crypto';
import { DivisionDirectory } from '@app/divisions';
import { AuditEntry, AuditTrail } from '@app/audit';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { consentGrantOf } from '../consent/consent-grant';
import { ConsentRecord } from '../consent/consent-policy';
import { ConsentRepository } from '../consent/consent.repository';
import { NoticeService } from '../notices/notice.service';
import { ApplicationRow, Assessment } from '../registrations/application-row';
import { ApplicationRepository } from '../registrations/application.repository';
import { ConsentGate } from '../registrations/consent-gate.service';
import { RegistrationIntake } from '../registrations/registration-intake.service';
import { RegistrationRepository } from '../registrations/registration.repository';
import { assertKnownDivision } from '../vault/patient-identity';
import { PatientVaultService } from '../vault/patient-vault.service';
import { HospitalReferralRepository } from './hospital-referral.repository';

/**
 * The hospital channel: a discharged patient's application arrives assessed (referral.assessed) with the
 * consents signed at the hospital, so the consent gate decides at once; consents the hospital sends after the
 * discharge (referral.consents-added) are recorded the same way and the gate decides again. A relapse (green
 * channel) puts the registration on hold; the referral assessed again after it resumes the same registration.
 */
@Injectable()
export class HospitalChannelService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly cipher: FieldCipher,
    private readonly vault: PatientVaultService,
    private readonly referrals: HospitalReferralRepository,
    private readonly registrations: RegistrationRepository,
    private readonly applications: ApplicationRepository,
    private readonly consents: ConsentRepository,
    private readonly intake: RegistrationIntake,
    private readonly gate: ConsentGate,
    private readonly publisher: EventPublisher,
    @Inject(DivisionDirectory) private readonly divisions: DivisionDirectory,
    private readonly audit: AuditTrail,
    private readonly notices: NoticeService,
  ) {}

  /** referral.assessed: the hospital's application, already assessed, with the consents signed there. */
  async onAssessed(event: EventEnvelope<ReferralAssessedData>): Promise<void> {
    const { data, id: causationId } = event;
    await this.tx.run(async () => {
      const { application: existing, sameEncounter } = await this.referrals.findReferral(
        data.referralId,
        data.hospitalId,
        data.encounterId,
      );
      if (existing) {
        await this.resumeAfterGreenChannel(existing, data, causationId);
        return;
      }
      // The same discharge posted again under another referral id (hospital id + encounter id): one effect.
      if (sameEncounter) return;
      const identity = this.openPatient(data);
      const intake = await this.intake.file({
        applicationId: data.referralId,
        channel: 'hospital',
        organisationId: data.hospitalId,
        encounterId: data.encounterId,
        identity,
        needs: data.rehabNeeds,
        preferredSiteId: null,
        consents: data.consents.map((c) => consentGrantOf(c, data.hospitalId)),
        assessment: this.assessmentOf(data),
      });
      // Filed into the registration's routed application, or refused after a withdrawal: no effect of its own
      // beyond telling the hospital, which would otherwise see its referral await consent for ever.
      if (intake.application.status === 'merged' || intake.application.status === 'refused') {
        await this.publishEnded(intake.application, causationId);
        return;
      }
      // The patient and guardian hear the outcome in plain words (never the risk level or colour grade).
      await this.notices.assessmentOutcome(
        {
          registrationId: intake.registration.id,
          referralId: intake.application.id,
          patient: intake.patient,
        },
        this.assessmentOf(data),
      );
      if (intake.application.status === 'registered') {
        const { application, registration, patient } = intake;
        await this.gate.publishRegistered(
          application,
          registration,
          patient,
          application.registeredAt!,
          causationId,
          {
            createdFrom: intake.created ? identity : undefined,
            consents: intake.consents,
          },
        );
      }
      await this.audit.recordAll([
        messagingAudit('hospital-application', 'C', 'application', data.referralId),
        messagingAudit('hospital-application', 'U', 'patient', intake.patient.id),
      ]);
    }, SYSTEM_ACTOR);
  }

  /**
   * referral.consents-added: consents the hospital captured after the discharge. Recorded for the registration as
   * those of referral.assessed are (the ones it has already left out), then the consent gate decides again: an
   * application awaiting consent goes on to referral.registered. A registration whose consent was withdrawn (its
   * record sealed) takes none: a new application is needed. Before referral.assessed of the referral has been
   * handled there is nothing to record them on: retried (nak) until it has.
   */
  async onConsentsAdded(event: EventEnvelope<ReferralConsentsAddedData>): Promise<void> {
    const { data, id: causationId } = event;
    await this.tx.run(async () => {
      const application = await this.referrals.lockApplicationOfDischarge(
        data.referralId,
        data.hospitalId,
        data.encounterId,
      );
      if (!application) {
        throw new DomainException(
          'APPLICATION_NOT_YET_FILED',
          'unavailable',
          'referral.assessed of this referral has not been handled yet',
        );
      }
      const registration = (await this.registrations.findRegistration(application.registrationId))!;
      const patient = (await this.vault.find(registration.patientId, true))!;
      if (registration.status === 'consent-withdrawn' || patient.sealedAt !== null) return;
      const recorded = await this.consents.findByPatient(patient.id);
      const added = data.consents
        .map((c) => consentGrantOf(c, data.hospitalId))
        .filter((c) => !recorded.some((r) => sameConsent(r, c)));
      if (added.length === 0) return; // each one recorded already: nothing changes
      await this.consents.insert(added.map((c) => ({ ...c, patientId: patient.id })));
      await this.gate.reconsider(registration.id, added, causationId);
      await this.audit.recordAll([
        messagingAudit('hospital-consents', 'U', 'application', application.id),
        messagingAudit('hospital-consents', 'U', 'patient', patient.id),
      ]);
    }, SYSTEM_ACTOR);
  }

  /**
   * referral.application-ended: refused (consent withdrawn earlier) or linked to the person's existing
   * registration. Says no more than that: no registration id, other referral or site.
   */
  private async publishEnded(application: ApplicationRow, causationId: string): Promise<void> {
    const refused = application.status === 'refused';
    await this.publisher.publish(
      EVENTS.referralApplicationEnded,
      {
        referralId: application.id,
        outcome: refused ? 'refused' : 'linked-to-existing',
        reasonCode: refused ? 'consent-withdrawn-earlier' : 'already-registered',
        endedAt: (application.endedAt ?? application.receivedAt).toISOString(),
      },
      { subject: application.id, causationId },
    );
  }

  /** green.relapse-reported: the registration waits (green channel); the next referral resumes it. */
  async onRelapseReported(event: EventEnvelope<GreenRelapseReportedData>): Promise<void> {
    const { data } = event;
    await this.tx.run(async () => {
      const application = await this.applications.findApplication(data.referralId);
      if (!application) return;
      const registration = (await this.registrations.findRegistration(application.registrationId))!;
      if (registration.status !== 'registered') return;
      await this.registrations.setRegistrationStatus(registration.id, 'green-channel', {
        previousSiteId: data.siteId,
      });
      await this.audit.record(messagingAudit('relapse-reported', 'U', 'registration', registration.id));
    }, SYSTEM_ACTOR);
  }

  /** The same referral assessed again after a green-channel stay: the same registration resumes. */
  private async resumeAfterGreenChannel(
    application: ApplicationRow,
    data: ReferralAssessedData,
    causationId: string,
  ): Promise<void> {
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    if (registration.status !== 'green-channel') return; // a redelivered or repeated assessment: no second effect
    const identity = this.openPatient(data);
    const { patient } = await this.vault.upsert(identity, randomUUID());
    await this.applications.recordAssessment(application.id, this.assessmentOf(data));
    await this.notices.assessmentOutcome(
      { registrationId: registration.id, referralId: application.id, patient },
      this.assessmentOf(data),
    );
    await this.consents.insert(
      data.consents.map((c) => ({
        ...consentGrantOf(c, data.hospitalId),
        patientId: registration.patientId,
      })),
    );
    await this.registrations.setRegistrationStatus(registration.id, 'pending');
    await this.gate.decide(application.id, causationId);
  }

  private openPatient(data: ReferralAssessedData): PatientIdentityDto {
    // Bound to this referral: a patient block copied from another referral's event is refused (security alert).
    const raw = this.cipher.openReceivedJson<unknown>(
      data.sealedPatient,
      referralSealContext('patient', data.referralId),
      'PATIENT_SEAL_INVALID',
      'the sealed patient',
    );
    const identity = plainToInstance(PatientIdentityDto, raw);
    const errors = validateSyncCompiled(identity, { whitelist: true, forbidUnknownValues: true });
    if (errors.length > 0) {
      throw new DomainException('PATIENT_INVALID', 'invalid', 'the sealed patient is not a valid identity', {
        errors: errors.map((e) => ({ pointer: `#/sealedPatient/${e.property}`, detail: 'invalid' })),
      });
    }
    assertKnownDivision(
      this.divisions,
      identity.residenceDivisionCode,
      '#/sealedPatient/residenceDivisionCode',
    );
    return identity;
  }

  private assessmentOf(data: ReferralAssessedData): Assessment {
    return {
      riskLevel: data.riskLevel,
      conditionStatus: data.conditionStatus,
      colourGrade: data.colourGrade,
      eligible: data.eligibleForCommunityRehab,
      needs: data.rehabNeeds,
      employmentInterest: data.employmentInterest,
      assessedAt: new Date(data.assessedAt),
    };
  }
}

function messagingAudit(
  subtype: string,
  action: 'C' | 'U',
  entityType: AuditEntry['entityType'],
  entityId: string,
): AuditEntry {
  return { type: 'messaging', subtype, action, entityType, entityId, purposeOfUse: 'PATADMIN' };
}

/** The same grant recorded already: purpose, grantor and the same instants. */
function sameConsent(
  recorded: ConsentRecord,
  grant: { purpose: string; grantedBy: string; grantedAt: Date; expiresAt: Date | null },
): boolean {
  return (
    recorded.purpose === grant.purpose &&
    recorded.grantedBy === grant.grantedBy &&
    recorded.grantedAt.getTime() === grant.grantedAt.getTime() &&
    (recorded.expiresAt?.getTime() ?? null) === (grant.expiresAt?.getTime() ?? null)
  );
}
