import { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditTrail, dropAuditTrail } from '@app/audit';
import {
  ACTOR_ORGANISATION_SQL,
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

const PROVIDER_TABLES = ['employment_referral', 'provider_exclusion', 'retention_check'];

/**
 * Employment providers and the employment referrals they hold. Deliberately no clinical column: no diagnosis,
 * ICD code, risk level, colour grade or hospital (test/clinical-fields scans these tables). Row-level security:
 * a provider sees only the referrals it holds and has not lost access to; event handlers, routing and the
 * retention sweeper act as the service.
 */
export class CreateEmploymentTables1764300000000 implements MigrationInterface {
  name = 'CreateEmploymentTables1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.provider (
        id text PRIMARY KEY,
        name text NOT NULL,
        county_code text NOT NULL,
        programmes text[] NOT NULL,
        accepting boolean NOT NULL DEFAULT true,
        capacity integer NOT NULL CHECK (capacity >= 0),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.provider_area (
        division_code text NOT NULL,
        provider_id text NOT NULL REFERENCES ${s}.provider (id) ON DELETE CASCADE,
        PRIMARY KEY (division_code, provider_id)
      )`);
    await queryRunner.query(`CREATE INDEX provider_area_provider_idx ON ${s}.provider_area (provider_id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.employment_referral (
        referral_id uuid PRIMARY KEY,
        site_id text NOT NULL,
        residence_division_code text NOT NULL,
        programmes text[] NOT NULL,
        status text NOT NULL CHECK (status IN ('referred', 'accepted', 'training', 'placed', 'paused', 'ended', 'unplaced')),
        paused_from text,
        provider_id text REFERENCES ${s}.provider (id),
        holds_place boolean NOT NULL DEFAULT false,
        access_revoked boolean NOT NULL DEFAULT false,
        hop integer NOT NULL DEFAULT 0,
        unplaced_reason text,
        ready_at timestamptz NOT NULL,
        referred_at timestamptz,
        accepted_at timestamptz,
        training_programme text,
        training_started_at timestamptz,
        placement_type text CHECK (placement_type IN ('sheltered', 'supported', 'competitive')),
        employer_name text,
        job_start_date date,
        placed_at timestamptz,
        ended_at timestamptz,
        end_reason text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX employment_referral_provider_page_idx
         ON ${s}.employment_referral (provider_id, referred_at, referral_id)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.provider_exclusion (
        referral_id uuid NOT NULL REFERENCES ${s}.employment_referral (referral_id) ON DELETE CASCADE,
        provider_id text NOT NULL,
        reason_code text NOT NULL,
        reason_text text,
        hop integer NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (referral_id, provider_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.retention_check (
        referral_id uuid NOT NULL REFERENCES ${s}.employment_referral (referral_id) ON DELETE CASCADE,
        month integer NOT NULL CHECK (month IN (1, 3, 6)),
        provider_id text NOT NULL,
        due_at timestamptz NOT NULL,
        checked_at timestamptz,
        retained boolean,
        overdue_at timestamptz,
        PRIMARY KEY (referral_id, month)
      )`);
    await queryRunner.query(
      `CREATE INDEX retention_check_open_idx ON ${s}.retention_check (due_at)
        WHERE checked_at IS NULL AND overdue_at IS NULL`,
    );
    // Referrals whose consent was withdrawn: a readiness that arrives afterwards (another stream) never opens one.
    await queryRunner.query(`
      CREATE TABLE ${s}.withdrawn_referral (
        referral_id uuid PRIMARY KEY,
        purpose text NOT NULL,
        withdrawn_at timestamptz NOT NULL
      )`);
    const ownProvider = `provider_id = ${ACTOR_ORGANISATION_SQL}`;
    await enableOrganisationPolicies(queryRunner, [
      { table: 'employment_referral', organisationCheck: `${ownProvider} AND NOT access_revoked` },
      { table: 'provider_exclusion', organisationCheck: ownProvider },
      { table: 'retention_check', organisationCheck: ownProvider },
    ]);
    await createAuditTrail(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await dropAuditTrail(queryRunner);
    await disableOrganisationPolicies(queryRunner, PROVIDER_TABLES);
    for (const table of [
      'withdrawn_referral',
      'retention_check',
      'provider_exclusion',
      'employment_referral',
      'provider_area',
      'provider',
    ]) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
