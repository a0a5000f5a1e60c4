import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * Discharges as hospital systems send them: the patient's other hospital identifiers (MRN, health-record and
 * health-card numbers) kept sealed, and a discharge without a usable assessment kept as `awaiting-assessment`
 * with its working-day deadline and when that deadline was reported breached.
 */
export class AwaitingAssessment1765100000000 implements MigrationInterface {
  name = 'AwaitingAssessment1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        ADD COLUMN sealed_hospital_identifiers jsonb,
        ADD COLUMN missing_assessment text[],
        ADD COLUMN assessment_due_at timestamptz,
        ADD COLUMN assessment_overdue_at timestamptz`);
    await queryRunner.query(`
      CREATE INDEX referral_awaiting_assessment_ix ON ${s}.referral (assessment_due_at)
        WHERE status = 'awaiting-assessment' AND assessment_overdue_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`DROP INDEX ${s}.referral_awaiting_assessment_ix`);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        DROP COLUMN assessment_overdue_at,
        DROP COLUMN assessment_due_at,
        DROP COLUMN missing_assessment,
        DROP COLUMN sealed_hospital_identifiers`);
  }
}
