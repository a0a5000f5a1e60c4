import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * How a referral ended at registration without a registration of its own (refused, or linked to the person's
 * existing registration) and why, for the referring hospital's view (referral.application-ended).
 */
export class ApplicationEnded1765000000000 implements MigrationInterface {
  name = 'ApplicationEnded1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}.referral ADD COLUMN end_reason text, ADD COLUMN ended_at timestamptz`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.referral DROP COLUMN ended_at, DROP COLUMN end_reason`);
  }
}
