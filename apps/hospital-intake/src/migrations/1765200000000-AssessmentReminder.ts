import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * A reminder before the assessment deadline of a discharge kept as `awaiting-assessment`: when it is due (set
 * with the deadline; null = no reminder) and when it was sent (once per referral, claimed across replicas).
 */
export class AssessmentReminder1765200000000 implements MigrationInterface {
  name = 'AssessmentReminder1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        ADD COLUMN assessment_remind_at timestamptz,
        ADD COLUMN assessment_reminded_at timestamptz`);
    await queryRunner.query(`
      CREATE INDEX referral_assessment_reminder_ix ON ${s}.referral (assessment_remind_at)
        WHERE status = 'awaiting-assessment' AND assessment_reminded_at IS NULL
          AND assessment_remind_at IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`DROP INDEX ${s}.referral_assessment_reminder_ix`);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        DROP COLUMN assessment_reminded_at,
        DROP COLUMN assessment_remind_at`);
  }
}
