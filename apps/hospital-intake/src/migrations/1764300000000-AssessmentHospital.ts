import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  ACTOR_ORGANISATION_SQL,
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * `discharge_assessment` carries its referral's `hospital_id` (backfilled), held equal to it by a composite
 * foreign key, and its row-level-security policy checks that column directly instead of looking the referral
 * up. The referral and its assessment can then be written by one statement (a CTE), where the assessment's
 * policy could not see the referral row its sibling INSERT writes.
 */
export class AssessmentHospital1764300000000 implements MigrationInterface {
  name = 'AssessmentHospital1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    // The backfill acts for the service itself (row-level security is forced, the owner included).
    await queryRunner.query(`SELECT set_config('app.system', 'on', true)`);
    await queryRunner.query(`ALTER TABLE ${s}.discharge_assessment ADD COLUMN hospital_id text`);
    await queryRunner.query(`
      UPDATE ${s}.discharge_assessment a SET hospital_id = r.hospital_id
        FROM ${s}.referral r WHERE r.id = a.referral_id`);
    await queryRunner.query(`ALTER TABLE ${s}.discharge_assessment ALTER COLUMN hospital_id SET NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE ${s}.referral ADD CONSTRAINT referral_id_hospital_uq UNIQUE (id, hospital_id)`,
    );
    // The composite key implies the old one (referral_id → referral.id): one check per insert, not two.
    await queryRunner.query(
      `ALTER TABLE ${s}.discharge_assessment DROP CONSTRAINT discharge_assessment_referral_id_fkey`,
    );
    await queryRunner.query(`
      ALTER TABLE ${s}.discharge_assessment ADD CONSTRAINT discharge_assessment_referral_hospital_fkey
        FOREIGN KEY (referral_id, hospital_id) REFERENCES ${s}.referral (id, hospital_id)`);
    await disableOrganisationPolicies(queryRunner, ['discharge_assessment']);
    await enableOrganisationPolicies(queryRunner, [
      { table: 'discharge_assessment', organisationCheck: `hospital_id = ${ACTOR_ORGANISATION_SQL}` },
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await disableOrganisationPolicies(queryRunner, ['discharge_assessment']);
    await enableOrganisationPolicies(queryRunner, [
      {
        table: 'discharge_assessment',
        organisationCheck: `EXISTS (SELECT 1 FROM ${s}.referral r WHERE r.id = discharge_assessment.referral_id AND r.hospital_id = ${ACTOR_ORGANISATION_SQL})`,
      },
    ]);
    await queryRunner.query(
      `ALTER TABLE ${s}.discharge_assessment DROP CONSTRAINT discharge_assessment_referral_hospital_fkey`,
    );
    await queryRunner.query(`
      ALTER TABLE ${s}.discharge_assessment ADD CONSTRAINT discharge_assessment_referral_id_fkey
        FOREIGN KEY (referral_id) REFERENCES ${s}.referral (id)`);
    await queryRunner.query(`ALTER TABLE ${s}.referral DROP CONSTRAINT referral_id_hospital_uq`);
    await queryRunner.query(`ALTER TABLE ${s}.discharge_assessment DROP COLUMN hospital_id`);
  }
}
