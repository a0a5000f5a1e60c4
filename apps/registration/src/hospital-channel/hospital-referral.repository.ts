import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { ApplicationRow, RawApplication, toApplication } from '../registrations/application-row';

/** The hospital channel's own lookup; its writes go through the registrations feature (which owns the rows). */
@Injectable()
export class HospitalReferralRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * The application of a referral (locked), or whether another application of the same organisation has the
   * same encounter (the same discharge posted again under another referral id): one round trip for both.
   */
  async findReferral(
    id: string,
    organisationId: string,
    encounterId: string,
  ): Promise<{ application?: ApplicationRow; sameEncounter: boolean }> {
    const rows = await this.tx.manager.query<(RawApplication & { by_id: boolean })[]>(
      `SELECT *, id = $1 AS by_id FROM ${this.tx.schema}.application
        WHERE id = $1 OR (organisation_id = $2 AND encounter_id = $3) FOR UPDATE`,
      [id, organisationId, encounterId],
    );
    const own = rows.find((r) => r.by_id);
    return { application: own && toApplication(own), sameEncounter: rows.some((r) => !r.by_id) };
  }

  /**
   * The application a hospital's discharge became (locked): the referral's own, else the one of the same
   * (hospital, encounter) filed under another referral id; undefined while there is none (yet).
   */
  async lockApplicationOfDischarge(
    id: string,
    organisationId: string,
    encounterId: string,
  ): Promise<ApplicationRow | undefined> {
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.tx.schema}.application
        WHERE id = $1 OR (organisation_id = $2 AND encounter_id = $3)
        ORDER BY id = $1 DESC, received_at LIMIT 1 FOR UPDATE`,
      [id, organisationId, encounterId],
    );
    return rows[0] && toApplication(rows[0]);
  }
}
