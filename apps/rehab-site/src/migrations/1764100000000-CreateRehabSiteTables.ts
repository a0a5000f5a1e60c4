import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/** Site directory, referral assignments (routing, decisions, SLA), exclusions, webhook outbox and log. */
export class CreateRehabSiteTables1764100000000 implements MigrationInterface {
  name = 'CreateRehabSiteTables1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.site (
        id text PRIMARY KEY,
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('county-centre', 'street-site', 'community-station')),
        county_code text NOT NULL,
        functions text[] NOT NULL DEFAULT '{}',
        services text[] NOT NULL,
        max_risk_level integer NOT NULL DEFAULT 2,
        accepting boolean NOT NULL DEFAULT true,
        capacity integer NOT NULL CHECK (capacity >= 0),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        api_key_hash text UNIQUE,
        webhook_url text,
        webhook_secret jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.site_area (
        division_code text NOT NULL,
        site_id text NOT NULL REFERENCES ${s}.site (id) ON DELETE CASCADE,
        PRIMARY KEY (division_code, site_id)
      )`);
    await queryRunner.query(`CREATE INDEX site_area_site_idx ON ${s}.site_area (site_id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.referral (
        referral_id uuid PRIMARY KEY,
        registration_id uuid NOT NULL,
        patient_ref uuid NOT NULL,
        residence_division_code text NOT NULL,
        needs text[] NOT NULL,
        risk_level integer NOT NULL,
        colour_grade text NOT NULL,
        preferred_site_id text,
        previous_site_id text,
        registered_at timestamptz NOT NULL,
        sealed_contact jsonb,
        status text NOT NULL,
        site_id text REFERENCES ${s}.site (id),
        holds_place boolean NOT NULL DEFAULT false,
        hop integer NOT NULL DEFAULT 0,
        needs_manual_placement boolean NOT NULL DEFAULT false,
        assigned_at timestamptz,
        answer_due_at timestamptz,
        accepted_at timestamptz,
        closed_at timestamptz,
        outcome text,
        follow_up jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX referral_site_page_idx ON ${s}.referral (site_id, assigned_at, referral_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX referral_site_status_page_idx ON ${s}.referral (site_id, status, assigned_at, referral_id)`,
    );
    await queryRunner.query(
      `CREATE INDEX referral_answer_due_idx ON ${s}.referral (answer_due_at) WHERE status = 'assigned'`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.referral_exclusion (
        referral_id uuid NOT NULL REFERENCES ${s}.referral (referral_id) ON DELETE CASCADE,
        site_id text NOT NULL,
        reason text NOT NULL CHECK (reason IN ('declined', 'escalated')),
        reason_code text,
        reason_text text,
        hop integer NOT NULL,
        at timestamptz NOT NULL,
        PRIMARY KEY (referral_id, site_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.service_record (
        id uuid PRIMARY KEY,
        referral_id uuid NOT NULL REFERENCES ${s}.referral (referral_id) ON DELETE CASCADE,
        site_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('plan', 'session', 'assessment')),
        occurred_at timestamptz NOT NULL,
        details jsonb NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX service_record_referral_idx ON ${s}.service_record (referral_id, kind, occurred_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.webhook_delivery (
        id uuid PRIMARY KEY,
        site_id text NOT NULL REFERENCES ${s}.site (id) ON DELETE CASCADE,
        referral_id uuid NOT NULL,
        event_type text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        given_up_at timestamptz,
        last_status integer,
        last_error text
      )`);
    await queryRunner.query(
      `CREATE INDEX webhook_delivery_due_idx ON ${s}.webhook_delivery (next_attempt_at)
        WHERE delivered_at IS NULL AND given_up_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX webhook_delivery_site_idx ON ${s}.webhook_delivery (site_id, created_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.webhook_attempt (
        delivery_id uuid NOT NULL REFERENCES ${s}.webhook_delivery (id) ON DELETE CASCADE,
        attempt integer NOT NULL,
        at timestamptz NOT NULL DEFAULT now(),
        status integer,
        error text,
        duration_ms integer NOT NULL,
        PRIMARY KEY (delivery_id, attempt)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}.webhook_attempt`);
    await queryRunner.query(`DROP TABLE ${s}.webhook_delivery`);
    await queryRunner.query(`DROP TABLE ${s}.service_record`);
    await queryRunner.query(`DROP TABLE ${s}.referral_exclusion`);
    await queryRunner.query(`DROP TABLE ${s}.referral`);
    await queryRunner.query(`DROP TABLE ${s}.site_area`);
    await queryRunner.query(`DROP TABLE ${s}.site`);
  }
}
