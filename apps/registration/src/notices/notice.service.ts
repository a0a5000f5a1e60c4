import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConsentPurpose, RehabService } from '@app/contracts';
import { Clock } from '@app/core';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import {
  assessmentParams,
  ClinicalContentError,
  consentReminderParams,
  NoticeParams,
  NoticeTemplateCode,
  RecipientRole,
  renderNotice,
  siteAssignedParams,
  withdrawalParams,
} from './notice-templates';
import { NoticeRepository } from './notice.repository';

/** Whom a notice is about: the registration (and referral) and its patient, read in the caller's transaction. */
export interface NoticeSubject {
  readonly registrationId: string;
  readonly referralId: string | null;
  readonly patient: PatientRow;
}

/**
 * Queues the notices to a patient and guardian in the transaction of the fact they tell of (the caller's,
 * which must already see every row: an event handler, the sweeper, or an elevated step). One notice per
 * trigger and recipient: the idempotency key is the trigger's identity + the recipient role, so a redelivered
 * event, a re-run sweep or a repeated request queues nothing new. The dispatcher sends them.
 */
@Injectable()
export class NoticeService {
  private readonly logger = new Logger(NoticeService.name);

  constructor(
    private readonly vault: PatientVaultService,
    private readonly notices: NoticeRepository,
    private readonly clock: Clock,
  ) {}

  /** The assessment outcome in plain words (suggested or not, and the suggested services). */
  assessmentOutcome(
    subject: NoticeSubject,
    assessment: { eligible: boolean; needs: readonly RehabService[]; assessedAt: Date },
  ): Promise<void> {
    const trigger = `${subject.referralId ?? subject.registrationId}:${assessment.assessedAt.toISOString()}`;
    return this.queue(subject, 'assessment-outcome', trigger, (role) => assessmentParams(role, assessment));
  }

  /** The site that now holds the referral and how to reach it (as the directory carried it on the event). */
  siteAssigned(
    subject: NoticeSubject,
    site: { id: string; name: string; address?: string; phone?: string },
    hop: number,
  ): Promise<void> {
    const trigger = `${subject.referralId ?? subject.registrationId}:${site.id}:${hop}`;
    return this.queue(subject, 'site-assigned', trigger, (role) => siteAssignedParams(role, site));
  }

  /** The `reminderNumber`-th reminder of an application awaiting consent. */
  consentReminder(
    subject: NoticeSubject,
    purpose: ConsentPurpose,
    reminderNumber: number,
    expiresAt: Date,
  ): Promise<void> {
    const trigger = `${subject.referralId ?? subject.registrationId}:${reminderNumber}`;
    return this.queue(subject, 'consent-reminder', trigger, (role) =>
      consentReminderParams(role, purpose, expiresAt),
    );
  }

  /** Confirms a withdrawal; queued before the record is re-sealed for the statutory record. */
  withdrawalConfirmation(subject: NoticeSubject, purpose: ConsentPurpose, withdrawnAt: Date): Promise<void> {
    const trigger = `${subject.registrationId}:${purpose}`;
    return this.queue(subject, 'withdrawal-confirmation', trigger, (role) =>
      withdrawalParams(role, purpose, withdrawnAt),
    );
  }

  private async queue(
    subject: NoticeSubject,
    templateCode: NoticeTemplateCode,
    trigger: string,
    paramsOf: (role: RecipientRole) => NoticeParams,
  ): Promise<void> {
    // A withdrawn (sealed) record is not opened for notices; the confirmation is queued before it is sealed.
    if (subject.patient.sealedAt !== null) return;
    const recipients = this.vault.sealNoticeRecipients(subject.patient, () => randomUUID());
    const notices = [];
    for (const r of recipients) {
      const params = paramsOf(r.role);
      try {
        renderNotice(templateCode, params);
      } catch (error) {
        if (!(error instanceof ClinicalContentError)) throw error;
        // Never queued: the text would carry clinical content (the parameters are not logged).
        this.logger.error(`notice ${templateCode} not queued: ${error.message}`);
        continue;
      }
      notices.push({
        id: r.noticeId,
        idempotencyKey: `${templateCode}:${trigger}:${r.role}`,
        registrationId: subject.registrationId,
        referralId: subject.referralId,
        recipientRole: r.role,
        templateCode,
        params,
        recipientMasked: r.masked,
        recipientSealed: r.sealed,
      });
    }
    await this.notices.enqueue(notices, this.clock.now());
  }
}
