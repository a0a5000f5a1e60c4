import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  ACTOR_ORGANISATION_SQL,
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * Held discharges: an HL7v2 or FHIR discharge that identifies the patient but lacks what registration needs (ID
 * number, residence, consent…) is kept here, sealed, with what is missing, until the hospital completes it. One
 * row per message (hospital + message key) and at most one open row per encounter. The sealed discharge is
 * cleared once it is completed (the referral then holds the patient's data).
 */
export class HeldDischarge1767100000000 implements MigrationInterface {
  name = 'HeldDischarge1767100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.held_discharge (
        id uuid PRIMARY KEY,
        hospital_id text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('fhir', 'hl7v2')),
        message_key text NOT NULL,
        message_id text,
        encounter_id text NOT NULL,
        received_at timestamptz NOT NULL,
        missing jsonb NOT NULL,
        sealed_discharge jsonb,
        status text NOT NULL CHECK (status IN ('held', 'completed')),
        referral_id uuid,
        completed_at timestamptz,
        alerted_at timestamptz,
        CONSTRAINT held_discharge_message_uq UNIQUE (hospital_id, message_key),
        CONSTRAINT held_discharge_state_ck CHECK (
          (status = 'held' AND sealed_discharge IS NOT NULL AND referral_id IS NULL)
          OR (status = 'completed' AND referral_id IS NOT NULL AND completed_at IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX held_discharge_open_encounter_uq ON ${s}.held_discharge (hospital_id, encounter_id)
         WHERE status = 'held'`,
    );
    await queryRunner.query(
      `CREATE INDEX held_discharge_hospital_list_idx ON ${s}.held_discharge (hospital_id, received_at DESC, id DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX held_discharge_unalerted_idx ON ${s}.held_discharge (received_at)
         WHERE status = 'held' AND alerted_at IS NULL`,
    );
    await enableOrganisationPolicies(queryRunner, [
      { table: 'held_discharge', organisationCheck: `hospital_id = ${ACTOR_ORGANISATION_SQL}` },
    ]);
  }

  /** Refused while discharges are still held: they were never turned into referrals and would be lost. */
  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`SELECT set_config('app.system', 'on', true)`);
    const [{ n }] = (await queryRunner.query(
      `SELECT count(*) AS n FROM ${s}.held_discharge WHERE status = 'held'`,
    )) as { n: string }[];
    if (Number(n) > 0) {
      throw new Error(`${n} discharges are still held; complete them before migrating below 1767100000000`);
    }
    await disableOrganisationPolicies(queryRunner, ['held_discharge']);
    await queryRunner.query(`DROP TABLE ${s}.held_discharge`);
  }
}
