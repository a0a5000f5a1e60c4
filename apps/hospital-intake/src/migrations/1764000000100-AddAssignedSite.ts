import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/** The site a referral is assigned to (name only), for the referring hospital's view. */
export class AddAssignedSite1764000000100 implements MigrationInterface {
  name = 'AddAssignedSite1764000000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}.referral ADD COLUMN assigned_site_name text, ADD COLUMN assigned_at timestamptz`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(
      `ALTER TABLE ${s}.referral DROP COLUMN assigned_at, DROP COLUMN assigned_site_name`,
    );
  }
}
