import { Injectable } from '@nestjs/common';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';

@Injectable()
export class ProbeRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insertCommands(rows: { referralId: string; hospitalId: string }[]): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.tx.schema}.probe_command (referral_id, hospital_id) SELECT * FROM unnest($1::uuid[], $2::text[])`,
      [rows.map((r) => r.referralId), rows.map((r) => r.hospitalId)],
    );
  }

  async recordEffect(effect: {
    eventId: string;
    referralId: string;
    hospitalId: string;
    encounterId: string;
    delivery: number;
  }): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.tx.schema}.probe_effect (event_id, referral_id, hospital_id, encounter_id, delivery)
       VALUES ($1, $2, $3, $4, $5)`,
      [effect.eventId, effect.referralId, effect.hospitalId, effect.encounterId, effect.delivery],
    );
  }

  /** Written outside the handler's transaction, so failed attempts are visible too. */
  async recordAttempt(eventId: string, delivery: number): Promise<void> {
    await this.tx.runDetached(
      (manager) =>
        manager.query(`INSERT INTO ${this.tx.schema}.probe_attempt (event_id, delivery) VALUES ($1, $2)`, [
          eventId,
          delivery,
        ]),
      SYSTEM_ACTOR,
    );
  }

  async isHealed(hospitalId: string): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `SELECT 1 FROM ${this.tx.schema}.probe_heal WHERE hospital_id = $1`,
      [hospitalId],
    );
    return rows.length > 0;
  }
}
