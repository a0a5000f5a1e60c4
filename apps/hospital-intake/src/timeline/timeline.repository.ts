import { Injectable } from '@nestjs/common';
import { ReferralStep } from '@app/contracts';
import { TransactionHost } from '@app/persistence';

/** One step as the referring hospital may see it: codes, the site's id, name and county. No notes, no PII. */
export interface StepInput {
  step: ReferralStep;
  occurredAt: Date;
  siteId?: string;
  siteName?: string;
  siteCountyCode?: string;
  code?: string;
}

/**
 * The referring hospital of a referral whose row the current transaction has locked (steps are numbered under
 * that lock), and whether the hospital registered a webhook (URL and secret) for the push.
 */
export interface LockedReferralHolder {
  hospitalId: string;
  hasWebhook: boolean;
}

/** `has_webhook` of a referral row `r` in SQL: its hospital registered a webhook URL and secret. */
export function hasWebhookSql(schema: string, referral: string): string {
  return `EXISTS (SELECT 1 FROM ${schema}.hospital h WHERE h.id = ${referral}.hospital_id
                    AND h.webhook_url IS NOT NULL AND h.webhook_secret IS NOT NULL)`;
}

export interface StepRecord extends StepInput {
  referralId: string;
  sequence: number;
}

interface StepRow {
  referral_id: string;
  sequence: number;
  step: ReferralStep;
  occurred_at: Date;
  site_id: string | null;
  site_name: string | null;
  site_county: string | null;
  code: string | null;
}

function toRecord(r: StepRow): StepRecord {
  return {
    referralId: r.referral_id,
    sequence: Number(r.sequence),
    step: r.step,
    occurredAt: r.occurred_at,
    ...(r.site_id ? { siteId: r.site_id } : {}),
    ...(r.site_name ? { siteName: r.site_name } : {}),
    ...(r.site_county ? { siteCountyCode: r.site_county } : {}),
    ...(r.code ? { code: r.code } : {}),
  };
}

@Injectable()
export class TimelineRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * The referring hospital of a referral hospital-intake holds, the referral's row locked (steps are numbered
   * under it), and whether that hospital registered a webhook (URL and secret) for the push: one round trip.
   */
  async lockReferralHospital(referralId: string): Promise<LockedReferralHolder | undefined> {
    const [row] = await this.tx.manager.query<{ hospital_id: string; has_webhook: boolean }[]>(
      `SELECT r.hospital_id, ${hasWebhookSql(this.tx.schema, 'r')} AS has_webhook
         FROM ${this.tx.schema}.referral r
        WHERE r.id = $1 FOR UPDATE OF r`,
      [referralId],
    );
    return row && { hospitalId: row.hospital_id, hasWebhook: row.has_webhook === true };
  }

  /**
   * Appends the step caused by `eventId` as the next of the referral (call with the referral locked); undefined
   * when that event was recorded already (a redelivery).
   */
  async appendStep(
    referralId: string,
    eventId: string,
    input: StepInput,
    now: Date,
  ): Promise<StepRecord | undefined> {
    const rows = await this.tx.manager.query<StepRow[]>(
      `INSERT INTO ${this.tx.schema}.referral_step
              (referral_id, sequence, event_id, step, occurred_at, site_id, site_name, site_county, code, recorded_at)
       SELECT $1, COALESCE(max(sequence), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9
         FROM ${this.tx.schema}.referral_step WHERE referral_id = $1
       ON CONFLICT (event_id) DO NOTHING
       RETURNING referral_id, sequence, step, occurred_at, site_id, site_name, site_county, code`,
      [
        referralId,
        eventId,
        input.step,
        input.occurredAt,
        input.siteId ?? null,
        input.siteName ?? null,
        input.siteCountyCode ?? null,
        input.code ?? null,
        now,
      ],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** The steps of referrals, in order (callers scope the referral ids to the calling hospital). */
  async stepsOf(referralIds: string[]): Promise<StepRecord[]> {
    if (referralIds.length === 0) return [];
    const rows = await this.tx.manager.query<StepRow[]>(
      `SELECT referral_id, sequence, step, occurred_at, site_id, site_name, site_county, code
         FROM ${this.tx.schema}.referral_step WHERE referral_id = ANY($1::uuid[])
        ORDER BY referral_id, sequence`,
      [referralIds],
    );
    return rows.map(toRecord);
  }
}
