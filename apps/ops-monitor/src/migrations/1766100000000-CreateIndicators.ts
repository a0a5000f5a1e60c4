import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * Statutory indicators: one fact row per event an indicator reads (ids, codes, domain times; no PII), the
 * quarterly reports (each version a frozen snapshot once signed) and the due-date reminders already raised.
 */
export class CreateIndicators1766100000000 implements MigrationInterface {
  name = 'CreateIndicators1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.indicator_fact (
        event_id text PRIMARY KEY,
        referral_id text NOT NULL,
        kind text NOT NULL,
        occurred_at timestamptz NOT NULL,
        division_code text CHECK (division_code ~ '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$'),
        county_code text GENERATED ALWAYS AS (left(division_code, 6)) STORED,
        site_id text,
        detail text,
        site_level text,
        area_codes text[],
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX indicator_fact_referral_idx ON ${s}.indicator_fact (referral_id)`);
    await queryRunner.query(
      `CREATE INDEX indicator_fact_county_idx ON ${s}.indicator_fact (county_code, occurred_at) WHERE county_code IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX indicator_fact_kind_idx ON ${s}.indicator_fact (kind, occurred_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.indicator_report (
        id text PRIMARY KEY,
        area text NOT NULL CHECK (area ~ '^[0-9]{2}([0-9]{2}([0-9]{2})?)?$'),
        period text NOT NULL CHECK (period ~ '^[0-9]{4}-(Q[1-4]|0[1-9]|1[0-2])$'),
        version integer NOT NULL CHECK (version >= 1),
        status text NOT NULL CHECK (status IN ('draft', 'signed')),
        content jsonb NOT NULL,
        generated_at timestamptz NOT NULL,
        generated_by text NOT NULL,
        signed_at timestamptz,
        signed_by text,
        UNIQUE (area, period, version),
        CHECK ((status = 'signed') = (signed_at IS NOT NULL AND signed_by IS NOT NULL))
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.indicator_report_reminder (
        area text NOT NULL,
        period text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('due', 'overdue')),
        raised_at timestamptz NOT NULL,
        PRIMARY KEY (area, period, kind)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}.indicator_report_reminder`);
    await queryRunner.query(`DROP TABLE ${s}.indicator_report`);
    await queryRunner.query(`DROP TABLE ${s}.indicator_fact`);
  }
}
