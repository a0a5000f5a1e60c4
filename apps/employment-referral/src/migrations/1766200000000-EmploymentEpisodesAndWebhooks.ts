import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';
import { createWebhookTables, dropWebhookTables } from '@app/webhooks';

/**
 * Episodes, relapses, IPS fields and provider webhooks:
 * - `confirmed_at`: when the site confirmed the readiness the current episode stands on (a newer confirmation
 *   resumes a paused referral or re-opens an ended/unplaced one; an older or repeated one changes nothing);
 * - `relapse_mark`: the latest relapse or readmission per referral, even before any readiness arrived (the
 *   GREEN and EMPLOYMENT streams are not ordered with each other), so a readiness confirmed before it opens the
 *   referral paused;
 * - `employment_specialist` (a provider's staff code, no name) and `first_employer_contact_on`: IPS measures;
 * - a provider's webhook URL and sealed signing secret, and the webhook outbox of @app/webhooks.
 */
export class EmploymentEpisodesAndWebhooks1766200000000 implements MigrationInterface {
  name = 'EmploymentEpisodesAndWebhooks1766200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.employment_referral
        ADD COLUMN confirmed_at timestamptz,
        ADD COLUMN employment_specialist text,
        ADD COLUMN first_employer_contact_on date`);
    await queryRunner.query(`
      CREATE TABLE ${s}.relapse_mark (
        referral_id uuid PRIMARY KEY,
        cause text NOT NULL CHECK (cause IN ('relapse', 'readmission')),
        relapsed_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      ALTER TABLE ${s}.provider
        ADD COLUMN webhook_url text,
        ADD COLUMN webhook_secret jsonb`);
    await createWebhookTables(queryRunner, 'provider');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await dropWebhookTables(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.provider DROP COLUMN webhook_url, DROP COLUMN webhook_secret`);
    await queryRunner.query(`DROP TABLE ${s}.relapse_mark`);
    await queryRunner.query(`
      ALTER TABLE ${s}.employment_referral
        DROP COLUMN confirmed_at, DROP COLUMN employment_specialist, DROP COLUMN first_employer_contact_on`);
  }
}
