import { Injectable } from '@nestjs/common';
import { EventEnvelope, ReferralAssignedData, ReferralFileSummarisedData } from '@app/contracts';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { ApplicationRepository } from './application.repository';

/**
 * What rehab-site reports back to registration: the first site assignment meets the refer-to-a-site deadline;
 * the subject's file summary is kept for the channels that may see it.
 */
@Injectable()
export class ReferralProgressService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly applications: ApplicationRepository,
  ) {}

  /**
   * referral.assigned: a site (not the county centre's manual placement, which is still looking for one) now
   * holds the referral. Idempotent; a referral registration does not know, or one already referred, is a no-op.
   */
  async onAssigned({ data }: EventEnvelope<ReferralAssignedData>): Promise<void> {
    if (data.needsManualPlacement) return;
    await this.tx.run(
      () => this.applications.markReferred(data.referralId, new Date(data.assignedAt)),
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
}
