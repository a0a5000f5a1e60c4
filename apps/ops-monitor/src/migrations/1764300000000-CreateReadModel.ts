import { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditTrail, dropAuditTrail } from '@app/audit';
import { quotedMigrationSchema } from '@app/persistence';

/** The live tables and their rebuild twins (same shape: the rebuild replays the streams into the twins). */
const TIMELINE_TABLES = ['timeline_event', 'timeline_event_rebuild'];
const SUMMARY_TABLES = ['referral_summary', 'referral_summary_rebuild'];

/**
 * The read model: one timeline row per event per referral and one summary per referral (ids, codes and event
 * times only; no PII), the alert list with its acknowledgement, stuck referrals already raised, dead-letter
 * records, and the audit trail of ops actions.
 */
export class CreateReadModel1764300000000 implements MigrationInterface {
  name = 'CreateReadModel1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    for (const table of TIMELINE_TABLES) {
      await queryRunner.query(`
        CREATE TABLE ${s}.${table} (
          event_id text PRIMARY KEY,
          referral_id text NOT NULL,
          event_type text NOT NULL,
          subject text NOT NULL,
          occurred_at timestamptz NOT NULL,
          county_code text CHECK (county_code ~ '^[0-9]{6}$'),
          site_id text,
          hospital_id text,
          detail text,
          state text,
          milestone text,
          rank integer NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now()
        )`);
      await queryRunner.query(
        `CREATE INDEX ${table}_referral_idx ON ${s}.${table} (referral_id, occurred_at, rank)`,
      );
    }
    for (const table of SUMMARY_TABLES) {
      await queryRunner.query(`
        CREATE TABLE ${s}.${table} (
          referral_id text PRIMARY KEY,
          state text NOT NULL,
          state_since timestamptz NOT NULL,
          county_code text,
          hospital_id text,
          site_id text,
          discharged_at timestamptz,
          assessed_at timestamptz,
          registered_at timestamptz,
          assigned_at timestamptz,
          accepted_at timestamptz,
          first_service_at timestamptz,
          closed_at timestamptz,
          sla_breaches integer NOT NULL,
          event_count integer NOT NULL,
          last_event_at timestamptz NOT NULL
        )`);
      await queryRunner.query(`CREATE INDEX ${table}_state_idx ON ${s}.${table} (state, state_since)`);
    }
    await queryRunner.query(`
      CREATE TABLE ${s}.ops_alert (
        id text PRIMARY KEY,
        code text NOT NULL,
        severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        service text NOT NULL,
        summary text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}',
        referral_id text,
        county_code text,
        raised_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
        acknowledged_at timestamptz,
        acknowledged_by text,
        resolved_at timestamptz,
        resolved_by text
      )`);
    await queryRunner.query(
      `CREATE INDEX ops_alert_status_idx ON ${s}.ops_alert (status, raised_at DESC, id)`,
    );
    await queryRunner.query(`CREATE INDEX ops_alert_raised_idx ON ${s}.ops_alert (raised_at DESC, id)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.stuck_referral (
        referral_id text NOT NULL,
        state text NOT NULL,
        state_since timestamptz NOT NULL,
        detected_at timestamptz NOT NULL,
        PRIMARY KEY (referral_id, state, state_since)
      )`);
    await queryRunner.query(`
      CREATE TABLE ${s}.dead_letter_record (
        dead_letter_id text PRIMARY KEY,
        service text NOT NULL,
        consumer text NOT NULL,
        stream text NOT NULL,
        event_type text,
        error_code text NOT NULL,
        recorded_at timestamptz NOT NULL
      )`);
    await createAuditTrail(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await dropAuditTrail(queryRunner);
    for (const table of [
      'dead_letter_record',
      'stuck_referral',
      'ops_alert',
      ...SUMMARY_TABLES,
      ...TIMELINE_TABLES,
    ]) {
      await queryRunner.query(`DROP TABLE ${s}.${table}`);
    }
  }
}
