import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * A readmitted patient's referral goes on hold at its site (`status = 'on-hold'`), which keeps the place until
 * `place_held_until`; then the hold sweeper gives the place back. The patient's next referral finds it by
 * `patient_ref` and takes the place over.
 */
export class GreenChannelHold1764600000100 implements MigrationInterface {
  name = 'GreenChannelHold1764600000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.referral ADD COLUMN place_held_until timestamptz`);
    await queryRunner.query(
      `CREATE INDEX referral_place_held_idx ON ${s}.referral (place_held_until)
        WHERE status = 'on-hold' AND holds_place`,
    );
    // The patient's waiting referral, looked up for every registration (small: only those in the channel).
    await queryRunner.query(
      `CREATE INDEX referral_patient_waiting_idx ON ${s}.referral (patient_ref)
        WHERE status IN ('green-channel', 'on-hold')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`DROP INDEX ${s}.referral_patient_waiting_idx`);
    await queryRunner.query(`DROP INDEX ${s}.referral_place_held_idx`);
    await queryRunner.query(`ALTER TABLE ${s}.referral DROP COLUMN place_held_until`);
  }
}
