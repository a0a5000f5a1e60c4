import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENTS, PatientIdentityDto, referralSealContext } from '@app/contracts';
import { Clock, DomainException, isInFuture, PeriodicTask } from '@app/core';
import { FieldCipher } from '@app/crypto';
import { EventPublisher } from '@app/messaging';
import { AuditTrail } from '@app/audit';
import { systemActor, TransactionHost } from '@app/persistence';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { AuthenticatedHospital, hospitalActor } from '../hospitals/hospital.types';
import { assessedEvent, assessmentRecord } from './assessment-record';
import { ColourGradePolicy } from '@app/contracts';
import { validationFailed } from './discharge-command';
import { DischargeRepository, OverdueAssessmentRow } from './discharge.repository';
import { HospitalNotifier } from '../notices/hospital-notifier.service';
import { COLOUR_GRADE_POLICY, INTAKE_SEAL_CONTEXTS, IntakeAnswer, receiptAudit } from './discharge.service';
import { DischargeAssessmentDto } from './dto/submit-discharge.dto';

export const REFERRAL_NOT_FOUND = 'REFERRAL_NOT_FOUND';
export const ASSESSMENT_ALREADY_RECORDED = 'ASSESSMENT_ALREADY_RECORDED';

/** Which referral an assessment completes: by id (JSON, FHIR basedOn) or by encounter (HL7 PV1-19, FHIR Encounter). */
export type AssessedReferral = { referralId: string } | { encounterId: string };

/**
 * The discharge assessment of a referral kept as `awaiting-assessment`: completed later by the hospital or the
 * county centre (any channel), which publishes `referral.assessed` (so routing starts); past its working-day
 * deadline it is reported once as `referral.assessment-overdue`, and a configured number of working days before
 * it the hospital is reminded once (`referral.assessment-reminder`).
 */
@Injectable()
export class AssessmentService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AssessmentService.name);
  private task?: PeriodicTask;

  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly repository: DischargeRepository,
    private readonly cipher: FieldCipher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly notifier: HospitalNotifier,
    @Inject(COLOUR_GRADE_POLICY) private readonly policy: ColourGradePolicy,
    @Inject(HOSPITAL_INTAKE_CONFIG) private readonly config: HospitalIntakeConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.assessmentSweepIntervalMs <= 0) return;
    this.task = new PeriodicTask(
      async () => {
        await this.sweepReminders();
        await this.sweepOverdue();
      },
      this.config.assessmentSweepIntervalMs,
      (error) => this.logger.warn(`assessment sweep failed: ${error.message}`),
    );
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }

  async complete(
    hospital: AuthenticatedHospital,
    which: AssessedReferral,
    assessment: DischargeAssessmentDto,
  ): Promise<IntakeAnswer> {
    return this.tx.run(async () => {
      const referral = await this.repository.lockAwaitingReferral(hospital.id, which);
      if (!referral) {
        const receipt = await this.repository.findReceipt(hospital.id, which);
        if (!receipt) {
          throw new DomainException(REFERRAL_NOT_FOUND, 'not-found', 'No such referral of this hospital');
        }
        throw new DomainException(
          ASSESSMENT_ALREADY_RECORDED,
          'conflict',
          `The referral is ${receipt.status}: its discharge assessment is recorded already`,
          { status: receipt.status },
        );
      }
      const now = this.clock.now();
      const assessedAt = assessment.assessedAt ? new Date(assessment.assessedAt) : now;
      if (isInFuture(assessedAt, now) || assessedAt < referral.admittedAt) {
        throw validationFailed([
          {
            pointer: '#/assessedAt',
            detail: 'assessedAt must be after admission and not in the future',
          },
        ]);
      }
      const record = assessmentRecord(this.policy, assessment, assessedAt.toISOString());
      await this.repository.completeAssessment(referral.id, hospital.id, record);
      const identity = JSON.parse(
        this.cipher.open(referral.sealedPatient, INTAKE_SEAL_CONTEXTS.patient),
      ) as PatientIdentityDto;
      await this.publisher.publish(
        EVENTS.referralAssessed,
        assessedEvent(
          { ...referral, hospitalId: hospital.id },
          record,
          this.cipher.sealJson(identity, referralSealContext('patient', referral.id)),
        ),
        { subject: referral.id },
      );
      await this.audit.record(receiptAudit('assessment-completed', 'U', referral.id));
      return {
        status: 200,
        body: {
          referralId: referral.id,
          encounterId: referral.encounterId,
          created: false,
          status: 'assessed',
          colourGrade: record.colourGrade,
          eligibleForCommunityRehab: record.eligibleForCommunityRehab,
        },
      };
    }, hospitalActor(hospital));
  }

  /**
   * One pass at the clock's time: each due reminder sent once (SKIP LOCKED across replicas), as the event and to
   * the hospital's webhook.
   */
  sweepReminders(): Promise<number> {
    if (this.config.assessmentReminderWorkingDays <= 0) return Promise.resolve(0);
    return this.sweep(
      (now) => this.repository.claimDueReminders(now),
      async (referral, now) => {
        const data = {
          referralId: referral.id,
          hospitalId: referral.hospitalId,
          dueAt: referral.dueAt.toISOString(),
          remindedAt: now.toISOString(),
          workingDaysBefore: this.config.assessmentReminderWorkingDays,
        };
        const id = await this.publisher.publish(EVENTS.referralAssessmentReminder, data, {
          subject: referral.id,
          time: now,
        });
        // The hospital's own channel: its signed webhook, when it registered one.
        const type = EVENTS.referralAssessmentReminder.type;
        await this.notifier.webhook({ id, type, time: now, hospitalId: referral.hospitalId, data });
      },
    );
  }

  /** One pass at the clock's time: each overdue assessment reported once (SKIP LOCKED across replicas). */
  sweepOverdue(): Promise<number> {
    return this.sweep(
      (now) => this.repository.claimOverdueAssessments(now),
      (referral, now) =>
        this.publisher.publish(
          EVENTS.referralAssessmentOverdue,
          {
            referralId: referral.id,
            hospitalId: referral.hospitalId,
            dueAt: referral.dueAt.toISOString(),
            overdueAt: now.toISOString(),
            workingDays: this.config.assessmentWithinWorkingDays,
          },
          { subject: referral.id },
        ),
    );
  }

  /** Claims the referrals due at the clock's time and publishes one event for each, in one transaction. */
  private sweep(
    claim: (now: Date) => Promise<OverdueAssessmentRow[]>,
    publish: (referral: OverdueAssessmentRow, now: Date) => Promise<unknown>,
  ): Promise<number> {
    return this.tx.run(async () => {
      const now = this.clock.now();
      const claimed = await claim(now);
      for (const referral of claimed) await publish(referral, now);
      return claimed.length;
    }, systemActor('assessment-sweeper'));
  }
}
