import { Injectable } from '@nestjs/common';
import { RetentionCheckMonth } from '@app/contracts';
import { TransactionHost } from '@app/persistence';
import { RetentionCheckRecord } from './employment-referral.repository';

interface CheckRow {
  referral_id: string;
  month: RetentionCheckMonth;
  provider_id: string;
  due_at: Date;
  checked_at: Date | null;
  retained: boolean | null;
  overdue_at: Date | null;
}

function map(r: CheckRow): RetentionCheckRecord {
  return {
    referralId: r.referral_id,
    month: r.month,
    providerId: r.provider_id,
    dueAt: r.due_at,
    checkedAt: r.checked_at,
    retained: r.retained,
    overdueAt: r.overdue_at,
  };
}

/** Retention checks of placed employment referrals: scheduled, recorded, and claimed once when overdue. */
@Injectable()
export class RetentionCheckRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  async schedule(
    referralId: string,
    providerId: string,
    checks: readonly { month: RetentionCheckMonth; dueAt: Date }[],
  ): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.retention_check (referral_id, month, provider_id, due_at)
       SELECT $1, unnest($2::int[]), $3, unnest($4::timestamptz[])
       ON CONFLICT (referral_id, month) DO UPDATE
          SET provider_id = EXCLUDED.provider_id, due_at = EXCLUDED.due_at, checked_at = NULL, retained = NULL,
              overdue_at = NULL`,
      [referralId, checks.map((c) => c.month), providerId, checks.map((c) => c.dueAt)],
    );
  }

  /** The checks of these referrals, by referral and month. */
  async forReferrals(referralIds: readonly string[]): Promise<RetentionCheckRecord[]> {
    if (referralIds.length === 0) return [];
    const rows = await this.tx.manager.query<CheckRow[]>(
      `SELECT * FROM ${this.s}.retention_check WHERE referral_id = ANY($1::uuid[]) ORDER BY referral_id, month`,
      [referralIds],
    );
    return rows.map(map);
  }

  /** Records a check not yet recorded; answers whether it was. */
  async record(referralId: string, month: number, retained: boolean, at: Date): Promise<boolean> {
    const [rows] = await this.tx.manager.query<[unknown[], number]>(
      `UPDATE ${this.s}.retention_check SET checked_at = $3, retained = $4
        WHERE referral_id = $1 AND month = $2 AND checked_at IS NULL RETURNING month`,
      [referralId, month, at, retained],
    );
    return rows.length === 1;
  }

  /** Drops the checks not yet recorded (the job ended or the referral did). */
  async cancelOpen(referralId: string): Promise<void> {
    await this.tx.manager.query(
      `DELETE FROM ${this.s}.retention_check WHERE referral_id = $1 AND checked_at IS NULL`,
      [referralId],
    );
  }

  /**
   * Marks overdue (once) the checks of placed referrals not recorded within `graceDays` of falling due, and
   * answers them. The candidates are locked with SKIP LOCKED and `overdue_at IS NULL` is re-checked on the
   * locked row, so two replicas sweeping at once never claim the same check: it fires once.
   */
  async claimOverdue(
    now: Date,
    graceDays: number,
    limit: number,
  ): Promise<(RetentionCheckRecord & { siteId: string })[]> {
    const [rows] = await this.tx.manager.query<[(CheckRow & { site_id: string })[], number]>(
      `UPDATE ${this.s}.retention_check c SET overdue_at = $1
        WHERE (c.referral_id, c.month) IN (
          SELECT o.referral_id, o.month
            FROM ${this.s}.retention_check o
            JOIN ${this.s}.employment_referral r ON r.referral_id = o.referral_id
           WHERE o.checked_at IS NULL AND o.overdue_at IS NULL AND r.status = 'placed'
             AND o.due_at + make_interval(days => $2) <= $1
           ORDER BY o.due_at
           LIMIT $3
             FOR UPDATE OF o SKIP LOCKED)
       RETURNING c.*, (SELECT r.site_id FROM ${this.s}.employment_referral r WHERE r.referral_id = c.referral_id) AS site_id`,
      [now, graceDays, limit],
    );
    return rows.map((row) => ({ ...map(row), siteId: row.site_id }));
  }
}
