import { Injectable } from '@nestjs/common';
import { ConditionStatus, ConsentPurpose, ValidConsentDto } from '@app/contracts';
import { TransactionHost } from '@app/persistence';

/** What the employment readiness gate reads: the consents registration reported and the newest assessment. */
@Injectable()
export class ReadinessRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /** Keeps the purposes beyond community rehab (community rehab is what the referral exists under). */
  async recordConsents(referralId: string, consents: readonly ValidConsentDto[]): Promise<void> {
    const kept = consents.filter((c) => c.purpose !== 'community-rehab');
    if (kept.length === 0) return;
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.referral_consent (referral_id, purpose, expires_at)
       SELECT $1, unnest($2::text[]), unnest($3::timestamptz[]) ON CONFLICT DO NOTHING`,
      [referralId, kept.map((c) => c.purpose), kept.map((c) => c.expiresAt ?? null)],
    );
  }

  /** A consent given later (or renewed): kept with its new end; answers false when the referral is unknown. */
  async grantConsent(
    referralId: string,
    purpose: ConsentPurpose,
    expiresAt: string | null,
  ): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.s}.referral_consent (referral_id, purpose, expires_at)
       SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM ${this.s}.referral r WHERE r.referral_id = $1)
       ON CONFLICT (referral_id, purpose) DO UPDATE SET expires_at = EXCLUDED.expires_at
       RETURNING referral_id`,
      [referralId, purpose, expiresAt],
    );
    return rows.length === 1;
  }

  async removeConsent(referralId: string, purpose: ConsentPurpose): Promise<void> {
    await this.tx.manager.query(
      `DELETE FROM ${this.s}.referral_consent WHERE referral_id = $1 AND purpose = $2`,
      [referralId, purpose],
    );
  }

  async consent(
    referralId: string,
    purpose: ConsentPurpose,
  ): Promise<{ expiresAt: Date | null } | undefined> {
    const [row] = await this.tx.manager.query<{ expires_at: Date | null }[]>(
      `SELECT expires_at FROM ${this.s}.referral_consent WHERE referral_id = $1 AND purpose = $2`,
      [referralId, purpose],
    );
    return row ? { expiresAt: row.expires_at } : undefined;
  }

  /** The newest periodic assessment the site recorded (by when it was assessed), if any. */
  async latestAssessment(
    referralId: string,
  ): Promise<{ riskLevel: number; conditionStatus: ConditionStatus } | undefined> {
    const [row] = await this.tx.manager.query<{ risk_level: number; condition_status: ConditionStatus }[]>(
      `SELECT (details->>'riskLevel')::int AS risk_level, details->>'conditionStatus' AS condition_status
         FROM ${this.s}.service_record
        WHERE referral_id = $1 AND kind = 'assessment'
        ORDER BY occurred_at DESC, recorded_at DESC LIMIT 1`,
      [referralId],
    );
    return row ? { riskLevel: row.risk_level, conditionStatus: row.condition_status } : undefined;
  }
}
