import { Injectable } from '@nestjs/common';
import { EventEnvelope, ReferralAssignedData, ReferralCancelledData } from '@app/contracts';
import { OutboxRepository } from '@app/messaging';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { ApplicationRepository } from './application.repository';

/** What routing reports back to registration: the first site assignment meets the refer-to-a-site deadline. */
@Injectable()
export class ReferralProgressService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly applications: ApplicationRepository,
    private readonly outbox: OutboxRepository,
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
