import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * A site's public front desk (address and phone, never a person's): announced with `referral.assigned` so the
 * patient and guardian are told how to reach the site. Both optional; the phone is a Chinese landline with area
 * code (0915-3212345) or a mobile number (13912345678), checked here as well as by the admin API.
 */
export class SiteContact1766970000000 implements MigrationInterface {
  name = 'SiteContact1766970000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.site
        ADD COLUMN contact_address text CHECK (char_length(contact_address) BETWEEN 1 AND 200),
        ADD COLUMN contact_phone text CHECK (contact_phone ~ '^(0[0-9]{2,3}-[0-9]{7,8}|1[3-9][0-9]{9})$')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.site DROP COLUMN contact_phone, DROP COLUMN contact_address`);
  }
}
