import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * Routing stopped at rehab-site because the patient or guardian refused the assigned site's service
 * (`referral.declined` with `patient-refused`): kept on the referral's application, with the site and when, so the
 * office and the filing channel see why no site holds it. A later assignment (ops placing it by hand once the
 * patient agrees) clears it; `last_assigned_at` (the latest site assignment heard of) keeps a refusal that
 * arrives after a newer assignment (the two come through separate consumers) from standing again.
 */
export class ApplicationRoutingStopped1766970000100 implements MigrationInterface {
  name = 'ApplicationRoutingStopped1766970000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.application
        ADD COLUMN routing_stopped_reason text CHECK (routing_stopped_reason IN ('patient-refused')),
        ADD COLUMN routing_stopped_site_id text,
        ADD COLUMN routing_stopped_at timestamptz,
        ADD COLUMN last_assigned_at timestamptz,
        ADD CONSTRAINT application_routing_stopped_whole CHECK (
          (routing_stopped_reason IS NULL) = (routing_stopped_at IS NULL)
          AND (routing_stopped_reason IS NULL) = (routing_stopped_site_id IS NULL))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.application
        DROP CONSTRAINT application_routing_stopped_whole,
        DROP COLUMN last_assigned_at,
        DROP COLUMN routing_stopped_at,
        DROP COLUMN routing_stopped_site_id,
        DROP COLUMN routing_stopped_reason`);
  }
}
