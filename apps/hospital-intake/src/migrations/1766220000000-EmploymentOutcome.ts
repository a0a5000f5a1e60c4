import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The referring hospital sees its referral's employment outcome (employment.stage-changed): the latest stage,
 * the kind of job, why it ended, when. No provider, employer or other detail.
 */
export class EmploymentOutcome1766220000000 implements MigrationInterface {
  name = 'EmploymentOutcome1766220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        ADD COLUMN employment_stage text,
        ADD COLUMN employment_placement_type text,
        ADD COLUMN employment_end_reason text,
        ADD COLUMN employment_changed_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        DROP COLUMN employment_stage, DROP COLUMN employment_placement_type, DROP COLUMN employment_end_reason,
        DROP COLUMN employment_changed_at`);
  }
}
