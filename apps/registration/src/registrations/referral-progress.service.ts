import { Injectable } from '@nestjs/common';
import {
  EventEnvelope,
  ReferralAssignedData,
  ReferralCancelledData,
  ReferralDeclinedData,
  ReferralFileSummarisedData,
} from '@app/contracts';
import { OutboxRepository } from '@app/messaging';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { NoticeService } from '../notices/notice.service';
import { PatientVaultService } from '../vault/patient-vault.service';
import { ApplicationRepository } from './application.repository';
import { RegistrationRepository } from './registration.repository';

/**
 * What rehab-site reports back to registration: the first site assignment meets the refer-to-a-site deadline,
 * and the patient and guardian are told which site holds the referral and how to reach it; a refusal by the
 * patient or guardian (routing stops there) is kept on the application; the subject's file summary is kept for
 * the channels that may see it.
 */
@Injectable()
export class ReferralProgressService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly applications: ApplicationRepository,
    private readonly registrations: RegistrationRepository,
    private readonly vault: PatientVaultService,
    private readonly notices: NoticeService,
    private readonly outbox: OutboxRepository,
  ) {}

  /**
   * referral.assigned: a site (not the county centre's manual placement, which is still looking for one) now
   * holds the referral. Idempotent (the notice's key is referral + site + hop); a referral registration does not
   * know, or one already referred, is a no-op for the deadline.
   */
  async onAssigned({ data }: EventEnvelope<ReferralAssignedData>): Promise<void> {
    if (data.needsManualPlacement) return;
    await this.tx.run(async () => {
      // Meets the deadline; placed again after a refusal (ops, once the patient agrees): routing goes on.
      const application = await this.applications.recordSiteAssigned(
        data.referralId,
        new Date(data.assignedAt),
      );
      if (!application) return;
      const registration = await this.registrations.findRegistration(application.registrationId);
      const patient = registration && (await this.vault.find(registration.patientId));
      if (!registration || !patient) return;
      await this.notices.siteAssigned(
        { registrationId: registration.id, referralId: application.id, patient },
        { id: data.siteId, name: data.siteName, address: data.siteAddress, phone: data.sitePhone },
        data.hop,
      );
    }, SYSTEM_ACTOR);
  }

  /**
   * referral.declined: only `patient-refused` concerns registration: rehab-site stopped routing (no site holds the
   * referral), and the application shows it, with the site and when, until a later assignment. Other reasons are
   * re-routed by rehab-site and reach registration as the next referral.assigned. Idempotent (a redelivery
   * rewrites the same values; an older refusal never overwrites a newer one).
   */
  async onDeclined({ data }: EventEnvelope<ReferralDeclinedData>): Promise<void> {
    if (data.reasonCode !== 'patient-refused') return;
    await this.tx.run(
      () =>
        this.applications.markRoutingStopped(data.referralId, {
          reason: 'patient-refused',
          siteId: data.siteId,
          at: new Date(data.declinedAt),
        }),
      SYSTEM_ACTOR,
    );
  }

  /**
   * referral.file-summarised: the subject's file as the patient's registration channel may see it (holder, stage,
   * counts and dates; no notes), kept on the referral's application. Idempotent; older summaries are ignored.
   */
  async onFileSummarised({ data }: EventEnvelope<ReferralFileSummarisedData>): Promise<void> {
    const { referralId, ...summary } = data;
    await this.tx.run(() => this.applications.recordFileSummary(referralId, summary), SYSTEM_ACTOR);
  }

  /**
   * referral.cancelled: the referring hospital cancelled before a site accepted. The application ends (its
   * deadlines stop) and what it had not yet published is dropped, as for a consent withdrawal; rehab-site frees
   * the place itself. The person's registration and consents stay. Idempotent; an unknown or ended one is a no-op.
   */
  async onCancelled({ data }: EventEnvelope<ReferralCancelledData>): Promise<void> {
    await this.tx.run(async () => {
      const application = await this.applications.findApplication(data.referralId);
      if (!application || application.endedAt !== null) return;
      await this.outbox.cancelPending(application.id, 'cancelled by the referring hospital');
      await this.applications.end(
        application.id,
        'cancelled',
        `cancelled by the referring hospital (${data.reasonCode})`,
        new Date(data.cancelledAt),
      );
    }, SYSTEM_ACTOR);
  }
}
