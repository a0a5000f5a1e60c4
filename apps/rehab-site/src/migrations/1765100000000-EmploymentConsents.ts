import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * The consent purposes beyond community rehab that registration reported valid for a referral
 * (referral.registered `validConsents`), until when; a withdrawal removes its purpose. The employment
 * readiness gate reads it as the service (no site reads it directly).
 */
export class EmploymentConsents1765100000000 implements MigrationInterface {
  name = 'EmploymentConsents1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.referral_consent (
        referral_id uuid NOT NULL REFERENCES ${s}.referral (referral_id) ON DELETE CASCADE,
        purpose text NOT NULL,
        expires_at timestamptz,
        PRIMARY KEY (referral_id, purpose)
      )`);
    await enableOrganisationPolicies(queryRunner, [{ table: 'referral_consent', organisationCheck: null }]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await disableOrganisationPolicies(queryRunner, ['referral_consent']);
    await queryRunner.query(`DROP TABLE ${s}.referral_consent`);
  }
}
