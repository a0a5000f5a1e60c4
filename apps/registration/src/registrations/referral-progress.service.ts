import { Injectable } from '@nestjs/common';
import { EventEnvelope, ReferralAssignedData } from '@app/contracts';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { ApplicationRepository } from './application.repository';

/** What routing reports back to registration: the first site assignment meets the refer-to-a-site deadline. */
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
}
