import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  ACTOR_ORGANISATION_SQL,
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * The subject's file follows the referral: a site sees the service records it wrote and, while it holds the
 * referral (not withdrawn), every record of it, the previous sites' included. The plan's review date drives the
 * periodic-assessment timers: when the due and overdue notices were raised (once each per review date).
 */
export class SubjectFileAndAssessmentTimers1766300000000 implements MigrationInterface {
  name = 'SubjectFileAndAssessmentTimers1766300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        ADD COLUMN review_by timestamptz,
        ADD COLUMN assessment_due_raised_at timestamptz,
        ADD COLUMN assessment_overdue_raised_at timestamptz`);
    await queryRunner.query(
      `CREATE INDEX referral_review_by_idx ON ${s}.referral (review_by)
        WHERE review_by IS NOT NULL AND assessment_overdue_raised_at IS NULL`,
    );
    await disableOrganisationPolicies(queryRunner, ['service_record']);
    await enableOrganisationPolicies(queryRunner, [
      {
        table: 'service_record',
        organisationCheck: `site_id = ${ACTOR_ORGANISATION_SQL} OR EXISTS (
          SELECT 1 FROM ${s}.referral r
           WHERE r.referral_id = service_record.referral_id AND r.site_id = ${ACTOR_ORGANISATION_SQL}
             AND r.status <> 'consent-withdrawn')`,
      },
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await disableOrganisationPolicies(queryRunner, ['service_record']);
    await enableOrganisationPolicies(queryRunner, [
      { table: 'service_record', organisationCheck: `site_id = ${ACTOR_ORGANISATION_SQL}` },
    ]);
    await queryRunner.query(`DROP INDEX ${s}.referral_review_by_idx`);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        DROP COLUMN assessment_overdue_raised_at,
        DROP COLUMN assessment_due_raised_at,
        DROP COLUMN review_by`);
  }
}
