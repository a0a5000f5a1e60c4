import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * A referral rebuilt from hospital-intake's own `referral.assessed` after a database restore: the event does not
 * carry the channel, the admission time, the diagnoses, the disposition or the hospital identifiers, so such a row
 * says so (`restored_at`, channel `restored`, no admission time) instead of holding made-up values.
 */
export class RestoredReferral1767000000000 implements MigrationInterface {
  name = 'RestoredReferral1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        ADD COLUMN restored_at timestamptz,
        ALTER COLUMN admitted_at DROP NOT NULL,
        DROP CONSTRAINT referral_channel_check,
        ADD CONSTRAINT referral_channel_check
          CHECK (channel IN ('json', 'fhir', 'hl7v2', 'nats', 'restored')),
        ADD CONSTRAINT referral_restored_ck CHECK (
          (restored_at IS NULL AND channel <> 'restored' AND admitted_at IS NOT NULL)
          OR (restored_at IS NOT NULL AND channel = 'restored'))`);
  }

  /** Refused while restored referrals exist: the older schema cannot hold them, and they are not thrown away. */
  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`SELECT set_config('app.system', 'on', true)`);
    const [{ n }] = (await queryRunner.query(
      `SELECT count(*) AS n FROM ${s}.referral WHERE restored_at IS NOT NULL`,
    )) as { n: string }[];
    if (Number(n) > 0) {
      throw new Error(
        `${n} referrals were rebuilt after a restore; the schema before 1767000000000 cannot hold them`,
      );
    }
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        DROP CONSTRAINT referral_restored_ck,
        DROP CONSTRAINT referral_channel_check,
        ADD CONSTRAINT referral_channel_check CHECK (channel IN ('json', 'fhir', 'hl7v2', 'nats')),
        ALTER COLUMN admitted_at SET NOT NULL,
        DROP COLUMN restored_at`);
  }
}
