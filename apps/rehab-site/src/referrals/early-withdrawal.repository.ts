import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

/**
 * Withdrawals of referrals rehab-site does not hold (never registered, or registered but not yet delivered
 * here): kept so that a referral.registered arriving later is never routed (`early_withdrawal`).
 */
@Injectable()
export class EarlyWithdrawalRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Serialises with every referral insert until commit (SHARE ROW EXCLUSIVE conflicts with the inserts' ROW
   * EXCLUSIVE): an insert in flight commits first and is then seen; a later one sees the withdrawal. Taken only on
   * this rare path.
   */
  async lockReferralInserts(): Promise<void> {
    await this.tx.manager.query(`LOCK TABLE ${this.tx.schema}.referral IN SHARE ROW EXCLUSIVE MODE`);
  }

  async record(referralId: string, withdrawnAt: string): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.tx.schema}.early_withdrawal (referral_id, withdrawn_at) VALUES ($1, $2)
       ON CONFLICT (referral_id) DO NOTHING`,
      [referralId, withdrawnAt],
    );
  }
}

/** SQL condition (for the registering insert): the referral was not withdrawn before it arrived. */
export function notWithdrawnEarlySql(schema: string, referralId: string): string {
  return `NOT EXISTS (SELECT 1 FROM ${schema}.early_withdrawal w WHERE w.referral_id = ${referralId})`;
}
