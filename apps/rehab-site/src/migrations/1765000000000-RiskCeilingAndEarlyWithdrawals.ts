import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The risk ceiling in the site directory (no site takes risk 3–5: policy MAX_COMMUNITY_RISK = 2; rows above it
 * are lowered to 2) and the withdrawals that arrived for referrals rehab-site never registered (so a late
 * referral.registered for one of them is never routed).
 */
export class RiskCeilingAndEarlyWithdrawals1765000000000 implements MigrationInterface {
  name = 'RiskCeilingAndEarlyWithdrawals1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`UPDATE ${s}.site SET max_risk_level = 2 WHERE max_risk_level > 2`);
    await queryRunner.query(
      `ALTER TABLE ${s}.site ADD CONSTRAINT site_max_risk_level_community CHECK (max_risk_level BETWEEN 0 AND 2)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.early_withdrawal (
        referral_id uuid PRIMARY KEY,
        withdrawn_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}.early_withdrawal`);
    await queryRunner.query(`ALTER TABLE ${s}.site DROP CONSTRAINT site_max_risk_level_community`);
  }
}
