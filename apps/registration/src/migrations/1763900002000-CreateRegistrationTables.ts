import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * Registration's own tables. PII lives only in `patient`, one AES-256-GCM seal (jsonb with its key id) per
 * field; lookups go through HMAC blind indexes, never through a clear value.
 */
export class CreateRegistrationTables1763900002000 implements MigrationInterface {
  name = 'CreateRegistrationTables1763900002000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.api_client (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id text NOT NULL UNIQUE,
        organisation_name text NOT NULL,
        organisation_kind text NOT NULL CHECK (organisation_kind IN
          ('family-portal', 'village-committee', 'social-organisation', 'enterprise', 'county-centre')),
        division_code text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.patient (
        id uuid PRIMARY KEY,
        id_number_index text NOT NULL UNIQUE,
        identity_index text NOT NULL,
        name_sealed jsonb NOT NULL,
        id_number_sealed jsonb NOT NULL,
        birth_date_sealed jsonb NOT NULL,
        phone_sealed jsonb,
        address_sealed jsonb,
        guardian_sealed jsonb,
        sex text NOT NULL,
        residence_division_code text NOT NULL,
        lacks_capacity boolean NOT NULL,
        sealed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX patient_identity_idx ON ${s}.patient (identity_index)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.registration (
        id uuid PRIMARY KEY,
        patient_id uuid NOT NULL UNIQUE REFERENCES ${s}.patient (id),
        status text NOT NULL CHECK (status IN
          ('pending', 'registered', 'green-channel', 'consent-withdrawn', 'expired')),
        previous_site_id text,
        registered_at timestamptz,
        withdrawn_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.application (
        id uuid PRIMARY KEY,
        registration_id uuid NOT NULL REFERENCES ${s}.registration (id),
        channel text NOT NULL,
        organisation_id text NOT NULL,
        encounter_id text,
        status text NOT NULL CHECK (status IN ('received', 'assessment-requested', 'awaiting-consent',
          'registered', 'ineligible', 'rejected', 'merged', 'expired', 'consent-withdrawn', 'refused')),
        linked_by text,
        merged_into uuid,
        residence_division_code text NOT NULL,
        needs text[] NOT NULL DEFAULT '{}',
        preferred_site_id text,
        risk_level int,
        condition_status text,
        colour_grade text,
        eligible boolean,
        employment_interest boolean,
        assessed_at timestamptz,
        received_at timestamptz NOT NULL,
        register_due_at timestamptz NOT NULL,
        sla_breached_at timestamptz,
        verified_at timestamptz,
        verified_by text,
        awaiting_consent_since timestamptz,
        missing_purpose text,
        reminders_sent int NOT NULL DEFAULT 0,
        last_reminder_at timestamptz,
        registered_at timestamptz,
        ended_at timestamptz,
        end_reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX application_registration_idx ON ${s}.application (registration_id)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX application_encounter_idx ON ${s}.application (organisation_id, encounter_id) WHERE encounter_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX application_open_idx ON ${s}.application (register_due_at) WHERE ended_at IS NULL AND registered_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.consent (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        patient_id uuid NOT NULL REFERENCES ${s}.patient (id),
        purpose text NOT NULL,
        granted_by text NOT NULL CHECK (granted_by IN ('patient', 'guardian')),
        method text NOT NULL,
        recorded_by text NOT NULL,
        granted_at timestamptz NOT NULL,
        expires_at timestamptz,
        withdrawn_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX consent_patient_idx ON ${s}.consent (patient_id, purpose)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.consent_reminder (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        application_id uuid NOT NULL REFERENCES ${s}.application (id),
        purpose text NOT NULL,
        sent_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    for (const table of [
      'consent_reminder',
      'consent',
      'application',
      'registration',
      'patient',
      'api_client',
    ]) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
