import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  enableOrganisationPolicies,
  disableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * Identity rules: the ID number is the only automatic match. A channel may file without one (the patient's
 * ID number column becomes optional); a name + birth date + county match where one side has no ID number is an
 * `identity_review` row for the registration office (county centre) or ops to merge or keep separate. A merged
 * record keeps its rows and points at the one it was merged into.
 */
export class IdentityReview1764910000000 implements MigrationInterface {
  name = 'IdentityReview1764910000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.patient
        ALTER COLUMN id_number_index DROP NOT NULL,
        ALTER COLUMN id_number_sealed DROP NOT NULL,
        ADD COLUMN merged_into uuid REFERENCES ${s}.patient (id)`);
    await queryRunner.query(`ALTER TABLE ${s}.registration DROP CONSTRAINT registration_status_check`);
    await queryRunner.query(`
      ALTER TABLE ${s}.registration
        ADD CONSTRAINT registration_status_check CHECK (status IN
          ('pending', 'registered', 'green-channel', 'consent-withdrawn', 'expired', 'merged')),
        ADD COLUMN merged_into uuid REFERENCES ${s}.registration (id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.identity_review (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL REFERENCES ${s}.patient (id),
        candidate_patient_id uuid NOT NULL REFERENCES ${s}.patient (id),
        matched_by text NOT NULL CHECK (matched_by IN ('name-birth-division')),
        county_code text NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'kept-separate')),
        decided_by text,
        decided_at timestamptz,
        note text,
        created_at timestamptz NOT NULL,
        UNIQUE (patient_id, candidate_patient_id),
        CHECK (patient_id <> candidate_patient_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX identity_review_open_idx ON ${s}.identity_review (county_code, created_at) WHERE status = 'open'`,
    );
    // Only the service itself reads and writes it; it scopes the county centre's view to its county.
    await enableOrganisationPolicies(queryRunner, [{ table: 'identity_review', organisationCheck: null }]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    const [{ blocking }] = (await queryRunner.query(
      `SELECT (SELECT count(*) FROM ${s}.patient WHERE id_number_index IS NULL OR merged_into IS NOT NULL)::int
         + (SELECT count(*) FROM ${s}.registration WHERE status = 'merged')::int AS blocking`,
    )) as { blocking: number }[];
    if (blocking > 0) {
      throw new Error(
        `${blocking} patients without an ID number or merged records exist: reverting would lose them`,
      );
    }
    await disableOrganisationPolicies(queryRunner, ['identity_review']);
    await queryRunner.query(`DROP TABLE ${s}.identity_review`);
    await queryRunner.query(
      `ALTER TABLE ${s}.registration DROP COLUMN merged_into, DROP CONSTRAINT registration_status_check`,
    );
    await queryRunner.query(`
      ALTER TABLE ${s}.registration ADD CONSTRAINT registration_status_check CHECK (status IN
        ('pending', 'registered', 'green-channel', 'consent-withdrawn', 'expired'))`);
    await queryRunner.query(`
      ALTER TABLE ${s}.patient DROP COLUMN merged_into,
        ALTER COLUMN id_number_index SET NOT NULL, ALTER COLUMN id_number_sealed SET NOT NULL`);
  }
}
