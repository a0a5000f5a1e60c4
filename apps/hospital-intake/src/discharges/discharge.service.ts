import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  ColourGradePolicy,
  ConsentGrantDto,
  EVENTS,
  PatientIdentityDto,
  referralSealContext,
} from '@app/contracts';
import { Clock, DomainException, FieldError, WorkingDayCalendar } from '@app/core';
import { FieldCipher } from '@app/crypto';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher } from '@app/messaging';
import { AuditEntry, AuditTrail } from '@app/audit';
import { TransactionHost } from '@app/persistence';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { TimelineService } from '../timeline/timeline.service';
import { AuthenticatedHospital, hospitalActor } from '../hospitals/hospital.types';
import { assessedEvent, assessmentRecord } from './assessment-record';
import { requestFingerprint, toDischargeCommand, validationFailed } from './discharge-command';
import { checkDischargeRules } from './discharge-rules';
import { DischargeRepository, IntakeChannel, ReceivedReferralRow } from './discharge.repository';
import { SubmitDischargeDto } from './dto/submit-discharge.dto';
import { ReferralReceiptDto } from './dto/referral-receipt.dto';
import { compareResend, completeFromReferral, HeldFinding, ReferralAsReceived } from './resend';

export const COLOUR_GRADE_POLICY = Symbol('COLOUR_GRADE_POLICY');

/** Sealing contexts of what hospital-intake keeps at rest. */
export const INTAKE_SEAL_CONTEXTS = {
  patient: 'hospital-intake.patient.v1',
  idNumberIndex: 'hospital-intake.id-number',
  hospitalIdentifiers: 'hospital-intake.hospital-identifiers.v1',
  /** A held discharge as read from its message, with the details of what it lacks. */
  heldDischarge: 'hospital-intake.held-discharge.v1',
} as const;

/** What a discharge sent without an assessment still needs (the fields of DischargeAssessmentDto). */
export const ASSESSMENT_FIELDS = [
  'assessment.riskLevel',
  'assessment.conditionStatus',
  'assessment.rehabNeeds',
  'assessment.employmentInterest',
];

export interface IntakeAnswer {
  /** 201 a new referral, 202 new and awaiting its assessment, 200 the existing referral (or a replayed answer). */
  status: 201 | 202 | 200;
  body: ReferralReceiptDto;
}

export function receiptAudit(subtype: string, action: 'C' | 'R' | 'U', referralId: string): AuditEntry {
  return {
    type: 'rest',
    subtype,
    action,
    entityType: 'referral',
    entityId: referralId,
    purposeOfUse: 'TREAT',
  };
}

/**
 * Discharge intake: every channel hands over the same validated command. Rules beyond the DTO are checked
 * here; a duplicate (hospital, encounter) answers the existing referral, taking the consents it adds and naming
 * what else differs; the referral, its assessment, its Idempotency-Key answer and the referral.discharged /
 * referral.assessed (or referral.consents-added) events commit together.
 */
@Injectable()
export class DischargeService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly repository: DischargeRepository,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly divisions: DivisionDirectory,
    @Inject(COLOUR_GRADE_POLICY) private readonly policy: ColourGradePolicy,
    private readonly calendar: WorkingDayCalendar,
    @Inject(HOSPITAL_INTAKE_CONFIG) private readonly config: HospitalIntakeConfig,
    private readonly timeline: TimelineService,
  ) {}

  async submit(
    hospital: AuthenticatedHospital,
    channel: IntakeChannel,
    command: SubmitDischargeDto,
    idempotencyKey?: string,
  ): Promise<IntakeAnswer> {
    const errors = checkDischargeRules(command, {
      now: this.clock.now(),
      divisionExists: (code) => this.divisions.exists(code),
    });
    if (errors.length > 0) throw validationFailed(errors);
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new DomainException(
        'IDEMPOTENCY_KEY_INVALID',
        'invalid',
        'Idempotency-Key must be 1–200 printable characters',
      );
    }
    // Only a request that carries an Idempotency-Key is compared with a stored one.
    const fingerprint = idempotencyKey === undefined ? undefined : requestFingerprint(channel, command);

    return this.tx.run(async () => {
      if (idempotencyKey !== undefined && fingerprint !== undefined) {
        if (!(await this.repository.tryLockIdempotencyKey(hospital.id, idempotencyKey))) {
          throw new DomainException(
            'IDEMPOTENCY_KEY_IN_FLIGHT',
            'conflict',
            'A request with this Idempotency-Key is still being processed; retry later',
          );
        }
        const stored = await this.repository.findAnswer(hospital.id, idempotencyKey);
        if (stored) {
          if (stored.requestSha256 !== fingerprint) {
            throw new DomainException(
              'IDEMPOTENCY_KEY_REUSED',
              'unprocessable',
              'This Idempotency-Key was used with a different request body',
            );
          }
          const replayed = stored.body as ReferralReceiptDto;
          await this.audit.record(receiptAudit('idempotent-replay', 'R', replayed.referralId));
          return { status: stored.status as IntakeAnswer['status'], body: replayed };
        }
      }
      const answer = await this.createOrFind(hospital, channel, command);
      if (idempotencyKey !== undefined && fingerprint !== undefined) {
        await this.repository.saveAnswer(hospital.id, idempotencyKey, {
          requestSha256: fingerprint,
          status: answer.status,
          body: answer.body,
        });
      }
      return answer;
    }, hospitalActor(hospital));
  }

  private async createOrFind(
    hospital: AuthenticatedHospital,
    channel: IntakeChannel,
    command: SubmitDischargeDto,
  ): Promise<IntakeAnswer> {
    const { patient, assessment } = command;
    const referralId = randomUUID();
    const identity: PatientIdentityDto = {
      name: patient.name,
      idNumber: patient.idNumber,
      birthDate: patient.birthDate,
      sex: patient.sex,
      phone: patient.phone,
      address: patient.address,
      residenceDivisionCode: patient.residenceDivisionCode,
      lacksCapacity: patient.lacksCapacity,
      guardian: patient.guardian && {
        name: patient.guardian.name,
        relationship: patient.guardian.relationship,
        phone: patient.guardian.phone,
      },
    };
    const dischargedAt = new Date(command.dischargedAt).toISOString();
    const consents = (command.consents ?? []).map((c) => ({
      purpose: c.purpose,
      grantedBy: c.grantedBy,
      method: c.method,
      grantedAt: c.grantedAt,
      ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}),
    }));
    const identifiers = (command.hospitalIdentifiers ?? []).map((i) => ({
      system: i.system,
      value: i.value,
    }));
    const referral = {
      id: referralId,
      hospitalId: hospital.id,
      encounterId: command.encounterId,
      channel,
      admittedAt: command.admittedAt,
      dischargedAt,
      dischargeDisposition: command.dischargeDisposition,
      residenceDivisionCode: patient.residenceDivisionCode,
      diagnoses: command.diagnoses.map((d) => d.code),
      sealedPatient: this.cipher.sealJson(identity, INTAKE_SEAL_CONTEXTS.patient),
      idNumberIndex: this.cipher.blindIndex(patient.idNumber, INTAKE_SEAL_CONTEXTS.idNumberIndex),
      consents,
      ...(identifiers.length > 0
        ? {
            sealedHospitalIdentifiers: this.cipher.sealJson(
              identifiers,
              INTAKE_SEAL_CONTEXTS.hospitalIdentifiers,
            ),
          }
        : {}),
    };
    const discharged = {
      definition: EVENTS.referralDischarged,
      data: {
        referralId,
        hospitalId: hospital.id,
        encounterId: command.encounterId,
        dischargedAt,
        residenceDivisionCode: patient.residenceDivisionCode,
      },
      options: { subject: referralId },
    };

    if (!assessment) {
      // Kept, never lost: the assessment is completed later (AssessmentService); nothing is routed before.
      const within = this.config.assessmentWithinWorkingDays;
      const lead = this.config.assessmentReminderWorkingDays;
      const dueAt = this.calendar.addWorkingDays(new Date(dischargedAt), within);
      const inserted = await this.repository.insertAwaitingReferralIfNew(referral, {
        missing: ASSESSMENT_FIELDS,
        dueAt,
        // `lead` working days before the deadline: the end of the (within − lead)-th working day.
        ...(lead > 0
          ? { remindAt: this.calendar.addWorkingDays(new Date(dischargedAt), Math.max(0, within - lead)) }
          : {}),
      });
      if (!inserted) return this.existing(hospital, command);
      const [dischargedId] = await this.publisher.publishAll([
        { ...discharged, data: { ...discharged.data, assessmentDueAt: dueAt.toISOString() } },
      ]);
      await this.timeline.record(referralId, dischargedId, {
        step: 'discharged',
        occurredAt: new Date(dischargedAt),
      });
      await this.audit.record(receiptAudit('create', 'C', referralId));
      return {
        status: 202,
        body: {
          referralId,
          encounterId: command.encounterId,
          created: true,
          status: 'awaiting-assessment',
          missing: ASSESSMENT_FIELDS,
          assessmentDueAt: dueAt.toISOString(),
        },
      };
    }

    const record = assessmentRecord(
      this.policy,
      assessment,
      new Date(assessment.assessedAt ?? command.dischargedAt).toISOString(),
    );
    const inserted = await this.repository.insertReferralWithAssessmentIfNew(referral, record);
    if (!inserted) return this.existing(hospital, command);

    const [dischargedId] = await this.publisher.publishAll([
      discharged,
      {
        definition: EVENTS.referralAssessed,
        data: assessedEvent(
          referral,
          record,
          this.cipher.sealJson(identity, referralSealContext('patient', referralId)),
        ),
        options: { subject: referralId },
      },
    ]);
    await this.timeline.record(referralId, dischargedId, {
      step: 'discharged',
      occurredAt: new Date(dischargedAt),
    });
    await this.audit.record(receiptAudit('create', 'C', referralId));
    return {
      status: 201,
      body: {
        referralId,
        encounterId: command.encounterId,
        created: true,
        status: 'assessed',
        colourGrade: record.colourGrade,
        eligibleForCommunityRehab: record.eligibleForCommunityRehab,
      },
    };
  }

  /**
   * A message for an encounter referred already that lacks registration data (a channel would hold it): what it
   * lacks or has wrong is taken from the referral and its faulty consents left out, then it is answered as any
   * discharge sent again (its new consents taken); each of its problems is named as not applied.
   */
  resendIncomplete(
    hospital: AuthenticatedHospital,
    discharge: Record<string, unknown>,
    findings: readonly HeldFinding[],
  ): Promise<IntakeAnswer> {
    return this.tx.run(async () => {
      const referral = await this.lockReferral(hospital, discharge.encounterId as string);
      const received = this.asReceived(referral);
      const completed = completeFromReferral(discharge, findings, received.patient);
      const command = await toDischargeCommand(completed.discharge).catch(() => undefined);
      const broken =
        !command ||
        checkDischargeRules(command, {
          now: this.clock.now(),
          divisionExists: (code) => this.divisions.exists(code),
        }).length > 0;
      // Not a discharge even so (never expected: only registration data was wanting): nothing is applied.
      if (broken) return this.answerResend(hospital, referral.id, [], completed.notApplied);
      // The completed discharge's consents are a subset of the message's: name them by their place in it.
      const inMessage = (pointer: string) =>
        pointer.replace(/^#\/consents\/(\d+)/, (_, i: string) => `#/consents/${completed.consentIndex[+i]}`);
      return this.resend(hospital, referral, received, command, (notApplied) => [
        ...completed.notApplied,
        ...notApplied.map((e) => ({ ...e, pointer: inMessage(e.pointer) })),
      ]);
    }, hospitalActor(hospital));
  }

  /** This encounter was referred already: the discharge is answered as sent again. */
  private async existing(
    hospital: AuthenticatedHospital,
    command: SubmitDischargeDto,
  ): Promise<IntakeAnswer> {
    const referral = await this.lockReferral(hospital, command.encounterId);
    return this.resend(hospital, referral, this.asReceived(referral), command);
  }

  private async lockReferral(
    hospital: AuthenticatedHospital,
    encounterId: string,
  ): Promise<ReceivedReferralRow> {
    const referral = await this.repository.lockReferralOfEncounter(hospital.id, encounterId);
    if (!referral) {
      throw new DomainException('REFERRAL_RACE', 'unavailable', 'The referral is being written; retry');
    }
    return referral;
  }

  /**
   * A discharge sent again: its referral, as it stands. Consents the referral did not have are recorded on it and,
   * once it is assessed, published as referral.consents-added (registration applies the consent gate again); a
   * referral awaiting its assessment passes them on with referral.assessed. Anything else that differs is named as
   * not applied.
   */
  private async resend(
    hospital: AuthenticatedHospital,
    referral: ReceivedReferralRow,
    received: ReferralAsReceived,
    command: SubmitDischargeDto,
    locate: (notApplied: FieldError[]) => FieldError[] = (notApplied) => notApplied,
  ): Promise<IntakeAnswer> {
    const { notApplied, consentsAdded } = compareResend(received, command);
    if (consentsAdded.length > 0) {
      await this.repository.addConsents(referral.id, consentsAdded);
      if (referral.status !== 'awaiting-assessment') {
        await this.publisher.publish(
          EVENTS.referralConsentsAdded,
          {
            referralId: referral.id,
            hospitalId: hospital.id,
            encounterId: command.encounterId,
            consents: consentsAdded,
            addedAt: this.clock.now().toISOString(),
          },
          { subject: referral.id },
        );
      }
    }
    return this.answerResend(hospital, referral.id, consentsAdded, locate(notApplied));
  }

  private async answerResend(
    hospital: AuthenticatedHospital,
    referralId: string,
    consentsAdded: ConsentGrantDto[],
    notApplied: FieldError[],
  ): Promise<IntakeAnswer> {
    await this.audit.recordAll([
      receiptAudit('duplicate-discharge', 'R', referralId),
      ...(consentsAdded.length > 0 ? [receiptAudit('consents-added', 'U', referralId)] : []),
    ]);
    const receipt = (await this.repository.findReceipt(hospital.id, { referralId }))!;
    return {
      status: 200,
      body: {
        ...receipt,
        created: false,
        ...(consentsAdded.length > 0 ? { consentsAdded } : {}),
        ...(notApplied.length > 0 ? { notApplied } : {}),
      },
    };
  }

  /** The referral as first received, its patient and hospital identifiers opened. */
  private asReceived(referral: ReceivedReferralRow): ReferralAsReceived {
    return {
      ...referral,
      patient: this.cipher.openJson<PatientIdentityDto>(referral.sealedPatient, INTAKE_SEAL_CONTEXTS.patient),
      hospitalIdentifiers: referral.sealedHospitalIdentifiers
        ? this.cipher.openJson<{ system: string; value: string }[]>(
            referral.sealedHospitalIdentifiers,
            INTAKE_SEAL_CONTEXTS.hospitalIdentifiers,
          )
        : [],
    };
  }
}
