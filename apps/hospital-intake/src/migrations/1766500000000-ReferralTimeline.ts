import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  ACTOR_ORGANISATION_SQL,
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * The referring hospital's timeline of each referral (one row per step, idempotent on the event that caused it,
 * numbered 1, 2, … per referral), the site-side state it is derived from (assigned site id and county, whether
 * the site accepted or serves the referral) and the hospital's own cancellation before acceptance.
 */
export class ReferralTimeline1766500000000 implements MigrationInterface {
  name = 'ReferralTimeline1766500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        ADD COLUMN assigned_site_id text,
        ADD COLUMN assigned_site_county text,
        ADD COLUMN site_status text CHECK (site_status IN ('assigned', 'accepted', 'in-service')),
        ADD COLUMN cancel_reason text,
        ADD COLUMN cancelled_at timestamptz`);
    await queryRunner.query(`
      CREATE TABLE ${s}.referral_step (
        referral_id uuid NOT NULL REFERENCES ${s}.referral (id),
        sequence int NOT NULL,
        event_id text NOT NULL UNIQUE,
        step text NOT NULL,
        occurred_at timestamptz NOT NULL,
        site_id text,
        site_name text,
        site_county text,
        code text,
        recorded_at timestamptz NOT NULL,
        PRIMARY KEY (referral_id, sequence)
      )`);
    await queryRunner.query(
      `CREATE INDEX referral_hospital_list_idx ON ${s}.referral (hospital_id, discharged_at DESC, id DESC)`,
    );
    await enableOrganisationPolicies(queryRunner, [
      {
        table: 'referral_step',
        organisationCheck: `EXISTS (SELECT 1 FROM ${s}.referral r WHERE r.id = referral_step.referral_id AND r.hospital_id = ${ACTOR_ORGANISATION_SQL})`,
      },
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await disableOrganisationPolicies(queryRunner, ['referral_step']);
    await queryRunner.query(`DROP INDEX ${s}.referral_hospital_list_idx`);
    await queryRunner.query(`DROP TABLE ${s}.referral_step`);
    await queryRunner.query(`
      ALTER TABLE ${s}.referral
        DROP COLUMN cancelled_at, DROP COLUMN cancel_reason, DROP COLUMN site_status,
        DROP COLUMN assigned_site_county, DROP COLUMN assigned_site_id`);
  }
}
