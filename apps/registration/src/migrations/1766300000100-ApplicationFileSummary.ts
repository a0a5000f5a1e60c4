import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The subject's file summary rehab-site sends (`referral.file-summarised`: current site, stage, counts and dates
 * of sessions and assessments, no notes), kept on the referral's application: the channels that may see the
 * application (row-level security) see it there.
 */
export class ApplicationFileSummary1766300000100 implements MigrationInterface {
  name = 'ApplicationFileSummary1766300000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.application ADD COLUMN file_summary jsonb`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.application DROP COLUMN file_summary`);
  }
}
