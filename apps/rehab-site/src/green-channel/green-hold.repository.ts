import { Injectable } from '@nestjs/common';
import { ReferralRegisteredData } from '@app/contracts';
import { TransactionHost } from '@app/persistence';

/** The green channel's writes on a referral held at a site: hold, release, resume. */
@Injectable()
export class GreenHoldRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /** green-channel → on-hold; the place stays reserved until `heldUntil`. False when it was not in the channel. */
  async holdForReadmission(referralId: string, heldUntil: Date): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.s}.referral SET status = 'on-hold', place_held_until = $2, updated_at = now()
        WHERE referral_id = $1 AND status = 'green-channel'`,
      [referralId, heldUntil],
    );
    return count === 1;
  }

  /** On-hold referrals whose place is due back, locked (SKIP LOCKED: replicas share the work). */
  async lockExpiredHolds(now: Date, limit: number): Promise<{ referralId: string; siteId: string }[]> {
    const rows = await this.tx.manager.query<{ referral_id: string; site_id: string }[]>(
      `SELECT referral_id, site_id FROM ${this.s}.referral
        WHERE status = 'on-hold' AND holds_place AND place_held_until <= $1
        ORDER BY place_held_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((r) => ({ referralId: r.referral_id, siteId: r.site_id }));
  }

  async releaseHold(referralId: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET holds_place = false, updated_at = now() WHERE referral_id = $1`,
      [referralId],
    );
  }

  /**
   * The registration resumed after a green-channel stay: the referral takes the new routing data and
   * remembers the site that held it (routing prefers it). False when it is not in the green channel or on hold.
   */
  async prepareResume(data: ReferralRegisteredData): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.s}.referral SET previous_site_id = site_id, residence_division_code = $2, needs = $3,
              risk_level = $4, colour_grade = $5, sealed_contact = $6::jsonb, place_held_until = NULL,
              updated_at = now()
        WHERE referral_id = $1 AND status IN ('green-channel', 'on-hold')`,
      [
        data.referralId,
        data.residenceDivisionCode,
        data.needs,
        data.riskLevel,
        data.colourGrade,
        JSON.stringify(data.sealedContact),
      ],
    );
    return count === 1;
  }

  /** The patient's referral waiting in the green channel or on hold (another referral id), locked. */
  async lockWaitingOfPatient(
    patientRef: string,
    exceptReferralId: string,
  ): Promise<{ referralId: string; siteId: string | null; holdsPlace: boolean } | undefined> {
    const [row] = await this.tx.manager.query<
      { referral_id: string; site_id: string | null; holds_place: boolean }[]
    >(
      `SELECT referral_id, site_id, holds_place FROM ${this.s}.referral
        WHERE patient_ref = $1 AND referral_id <> $2 AND status IN ('green-channel', 'on-hold')
        ORDER BY updated_at DESC LIMIT 1 FOR UPDATE`,
      [patientRef, exceptReferralId],
    );
    return row && { referralId: row.referral_id, siteId: row.site_id, holdsPlace: row.holds_place };
  }

  /** The waiting referral is superseded by the patient's new one, which takes over its place. */
  async supersede(referralId: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.referral SET status = 'superseded', holds_place = false, place_held_until = NULL,
              closed_at = $2, updated_at = now() WHERE referral_id = $1`,
      [referralId, at],
    );
  }
}
