import { Injectable } from '@nestjs/common';
import { EmploymentStageChangedData, EventEnvelope } from '@app/contracts';
import { AuditTrail } from '@app/audit';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { messagingAudit } from '../referrals/site-actions';
import { EmploymentOutcomeRecord, EmploymentOutcomeRepository } from './employment-outcome.repository';

/** The employment outcome of the site's referrals, as employment-referral reports each step. */
@Injectable()
export class EmploymentOutcomeService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly outcomes: EmploymentOutcomeRepository,
    private readonly audit: AuditTrail,
  ) {}

  /** employment.stage-changed: kept when the referral is known here and the step is the latest. */
  async onStageChanged({ data }: EventEnvelope<EmploymentStageChangedData>): Promise<void> {
    await this.tx.run(async () => {
      if (await this.outcomes.record(data)) {
        await this.audit.record(messagingAudit('employment-stage-changed', data.referralId));
      }
    }, SYSTEM_ACTOR);
  }

  /** For a referral the caller already showed it holds: read as the service (sites do not read it directly). */
  latest(referralId: string): Promise<EmploymentOutcomeRecord | undefined> {
    return this.tx.elevated(() => this.outcomes.find(referralId));
  }
}
