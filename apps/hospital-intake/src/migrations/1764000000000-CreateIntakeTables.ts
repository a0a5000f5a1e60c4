import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/** Hospital registry with API keys, referrals (PII sealed), discharge assessments, idempotency keys, green cases. */
export class CreateIntakeTables1764000000000 implements MigrationInterface {
  name = 'CreateIntakeTables1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.hospital (
        id text PRIMARY KEY,
        name text NOT NULL,
        level text NOT NULL CHECK (level IN ('tertiary', 'secondary', 'primary')),
        county_division_code text NOT NULL CHECK (county_division_code ~ '^[0-9]{6}$'),
        kind text NOT NULL CHECK (kind IN ('psychiatric', 'general')),
        on_call_name text NOT NULL,
        on_call_phone text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.hospital_api_key (
        prefix text PRIMARY KEY,
        hospital_id text NOT NULL REFERENCES ${s}.hospital (id),
        key_sha256 bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.referral (
        id uuid PRIMARY KEY,
        hospital_id text NOT NULL REFERENCES ${s}.hospital (id),
        encounter_id text NOT NULL,
        channel text NOT NULL CHECK (channel IN ('json', 'fhir', 'hl7v2', 'nats')),
        status text NOT NULL,
        admitted_at timestamptz NOT NULL,
        discharged_at timestamptz NOT NULL,
        discharge_disposition text,
        residence_division_code text NOT NULL,
        diagnoses text[] NOT NULL,
        sealed_patient jsonb NOT NULL,
        id_number_index text NOT NULL,
        consents jsonb NOT NULL DEFAULT '[]'::jsonb,
        registration_id uuid,
        registered_at timestamptz,
        outcome text,
        closed_at timestamptz,
        green_reported_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT referral_hospital_encounter_uq UNIQUE (hospital_id, encounter_id)
      )`);
    await queryRunner.query(`CREATE INDEX referral_id_number_index_ix ON ${s}.referral (id_number_index)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.discharge_assessment (
        referral_id uuid PRIMARY KEY REFERENCES ${s}.referral (id),
        risk_level smallint NOT NULL CHECK (risk_level BETWEEN 0 AND 5),
        condition_status text NOT NULL,
        functional_scores jsonb NOT NULL DEFAULT '[]'::jsonb,
        rehab_needs text[] NOT NULL,
        employment_interest boolean NOT NULL,
        colour_grade text NOT NULL,
        eligible_for_community_rehab boolean NOT NULL,
        assessed_at timestamptz NOT NULL,
        CONSTRAINT assessment_risk_routing_ck CHECK (risk_level < 3 OR NOT eligible_for_community_rehab)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.idempotency_key (
        hospital_id text NOT NULL REFERENCES ${s}.hospital (id),
        key text NOT NULL,
        request_sha256 text NOT NULL,
        response_status smallint NOT NULL,
        response_body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (hospital_id, key)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.green_case (
        event_id uuid PRIMARY KEY,
        referral_id uuid NOT NULL,
        site_id text NOT NULL,
        observed_risk_level smallint NOT NULL,
        reported_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    for (const table of [
      'green_case',
      'idempotency_key',
      'discharge_assessment',
      'referral',
      'hospital_api_key',
      'hospital',
    ]) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
