import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The webhook outbox takes the shape of @app/webhooks (shared with hospital-intake): `site_id` becomes
 * `recipient_id` and `referral_id` becomes `subject_id`; rows, the foreign key to `site` and indexes stay.
 */
export class GenericWebhookOutbox1764600000000 implements MigrationInterface {
  name = 'GenericWebhookOutbox1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.webhook_delivery RENAME COLUMN site_id TO recipient_id`);
    await queryRunner.query(`ALTER TABLE ${s}.webhook_delivery RENAME COLUMN referral_id TO subject_id`);
    await queryRunner.query(
      `ALTER INDEX ${s}.webhook_delivery_site_idx RENAME TO webhook_delivery_recipient_idx`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(
      `ALTER INDEX ${s}.webhook_delivery_recipient_idx RENAME TO webhook_delivery_site_idx`,
    );
    await queryRunner.query(`ALTER TABLE ${s}.webhook_delivery RENAME COLUMN subject_id TO referral_id`);
    await queryRunner.query(`ALTER TABLE ${s}.webhook_delivery RENAME COLUMN recipient_id TO site_id`);
  }
}
