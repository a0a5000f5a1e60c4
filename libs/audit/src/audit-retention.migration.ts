import { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema, quoteIdent, runtimeRoleOf } from '@app/persistence';
import { AUDIT_TABLE } from './audit.migration';

const APPEND_ONLY_FUNCTION = 'audit_event_append_only';
export const AUDIT_PRUNE_FUNCTION = 'audit_event_prune';
/** The database refuses to delete audit events younger than this, whatever the configuration says. */
export const AUDIT_FLOOR_DAYS = 183;
const PRUNE_SETTING = 'referral_bus.audit_prune';

/**
 * Retention for the append-only audit trail: one SECURITY DEFINER function deletes events older than a number of
 * days by the database clock that stamped them (never fewer than 183 days, checked in the database), in bounded batches. The runtime role may call it but
 * still holds no DELETE or UPDATE grant, and the append-only trigger still refuses every other change, the
 * owner's included: it lets a DELETE through only while the function runs (a transaction-local flag it sets).
 */
export async function createAuditRetention(queryRunner: QueryRunner): Promise<void> {
  const s = quoteIdent(migrationSchema(queryRunner));
  const role = quoteIdent(runtimeRoleOf(migrationSchema(queryRunner)));
  await queryRunner.query(`
    CREATE OR REPLACE FUNCTION ${s}.${APPEND_ONLY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND coalesce(current_setting('${PRUNE_SETTING}', true), '') = 'on' THEN
        RETURN NULL;
      END IF;
      RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await queryRunner.query(`
    CREATE FUNCTION ${s}.${AUDIT_PRUNE_FUNCTION}(keep_days integer, max_rows integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    DECLARE
      deleted integer;
      was_system text := current_setting('app.system', true);
    BEGIN
      IF keep_days IS NULL OR keep_days < ${AUDIT_FLOOR_DAYS} THEN
        RAISE EXCEPTION 'audit events are kept at least ${AUDIT_FLOOR_DAYS} days (asked to keep %)', keep_days
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF max_rows < 1 OR max_rows > 100000 THEN
        RAISE EXCEPTION 'max_rows must be between 1 and 100000' USING ERRCODE = 'invalid_parameter_value';
      END IF;
      PERFORM set_config('${PRUNE_SETTING}', 'on', true);
      PERFORM set_config('app.system', 'on', true);
      DELETE FROM ${s}.${AUDIT_TABLE} WHERE id IN (
        SELECT id FROM ${s}.${AUDIT_TABLE} WHERE recorded < now() - make_interval(days => keep_days) ORDER BY recorded LIMIT max_rows
      );
      GET DIAGNOSTICS deleted = ROW_COUNT;
      PERFORM set_config('${PRUNE_SETTING}', 'off', true);
      PERFORM set_config('app.system', coalesce(was_system, ''), true);
      RETURN deleted;
    END $$`);
  await queryRunner.query(
    `REVOKE ALL ON FUNCTION ${s}.${AUDIT_PRUNE_FUNCTION}(integer, integer) FROM PUBLIC`,
  );
  await queryRunner.query(
    `GRANT EXECUTE ON FUNCTION ${s}.${AUDIT_PRUNE_FUNCTION}(integer, integer) TO ${role}`,
  );
}

export async function dropAuditRetention(queryRunner: QueryRunner): Promise<void> {
  const s = quoteIdent(migrationSchema(queryRunner));
  await queryRunner.query(`DROP FUNCTION ${s}.${AUDIT_PRUNE_FUNCTION}(integer, integer)`);
  await queryRunner.query(`
    CREATE OR REPLACE FUNCTION ${s}.${APPEND_ONLY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
}

/** The shared migration every app with an audit trail lists (after the one that created the trail). */
export class AuditRetention1766950000000 implements MigrationInterface {
  name = 'AuditRetention1766950000000';

  up(queryRunner: QueryRunner): Promise<void> {
    return createAuditRetention(queryRunner);
  }

  down(queryRunner: QueryRunner): Promise<void> {
    return dropAuditRetention(queryRunner);
  }
}
