import { Injectable } from '@nestjs/common';
import { EmploymentStage, EmploymentStageChangedData, EVENTS } from '@app/contracts';
import { EventPublisher } from '@app/messaging';

export type StageDetails = Omit<EmploymentStageChangedData, 'referralId' | 'siteId' | 'stage' | 'changedAt'>;

/**
 * Tells the site that confirmed readiness and the referring hospital where the employment referral stands
 * (employment.stage-changed, consumed by rehab-site and hospital-intake): ids, stage, provider name, kind of
 * job, retention answer, end reason. In the caller's transaction, beside the step's own event.
 */
@Injectable()
export class EmploymentOutcomes {
  constructor(private readonly publisher: EventPublisher) {}

  async announce(
    referral: { referralId: string; siteId: string },
    stage: EmploymentStage,
    at: Date,
    details: StageDetails = {},
  ): Promise<void> {
    const { referralId, siteId } = referral;
    await this.publisher.publish(
      EVENTS.employmentStageChanged,
      { referralId, siteId, stage, ...details, changedAt: at.toISOString() },
      { subject: referralId },
    );
  }
}
