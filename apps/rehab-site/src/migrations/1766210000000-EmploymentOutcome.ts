import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * The latest employment step of a referral (employment.stage-changed from employment-referral): stage, provider
 * name, kind of job, retention answer, end or pause reason. No employer, no clinical data. Read by the service
 * for the site that holds the referral (its referral view).
 */
export class EmploymentOutcome1766210000000 implements MigrationInterface {
  name = 'EmploymentOutcome1766210000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.employment_outcome (
        referral_id uuid PRIMARY KEY REFERENCES ${s}.referral (referral_id) ON DELETE CASCADE,
        stage text NOT NULL,
        provider_name text,
        placement_type text,
        retention_month integer,
        retained boolean,
        end_reason text,
        pause_cause text,
        changed_at timestamptz NOT NULL
      )`);
    await enableOrganisationPolicies(queryRunner, [{ table: 'employment_outcome', organisationCheck: null }]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await disableOrganisationPolicies(queryRunner, ['employment_outcome']);
    await queryRunner.query(`DROP TABLE ${s}.employment_outcome`);
  }
}
