import { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditTrail, dropAuditTrail } from '@app/audit';
import { quotedMigrationSchema } from '@app/persistence';

export class CreateProbeTables1763900000100 implements MigrationInterface {
  name = 'CreateProbeTables1763900000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(
      `CREATE TABLE ${s}.probe_command (referral_id uuid PRIMARY KEY, hospital_id text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
    );
    // Deliberately no unique constraint: only the inbox stands between a redelivery and a second effect.
    await queryRunner.query(
      `CREATE TABLE ${s}.probe_effect (id bigserial PRIMARY KEY, event_id text NOT NULL, referral_id text NOT NULL,
         hospital_id text NOT NULL, encounter_id text NOT NULL, delivery int NOT NULL, processed_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    await queryRunner.query(
      `CREATE TABLE ${s}.probe_attempt (event_id text NOT NULL, delivery int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
    await queryRunner.query(`CREATE TABLE ${s}.probe_heal (hospital_id text PRIMARY KEY)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    for (const table of ['probe_heal', 'probe_attempt', 'probe_effect', 'probe_command']) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}

/** The audit trail, so the probe consumer can audit its effects like the apps do (after the runtime role). */
export class CreateProbeAuditTrail1763900000600 implements MigrationInterface {
  name = 'CreateProbeAuditTrail1763900000600';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createAuditTrail(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAuditTrail(queryRunner);
  }
}
