import { QueryRunner } from 'typeorm';
import {
  ACTOR_ORGANISATION_SQL,
  enableOrganisationPolicies,
  migrationSchema,
  quoteIdent,
  runtimeRoleOf,
  disableOrganisationPolicies,
} from '@app/persistence';
import {
  AUDIT_ACTIONS,
  AUDIT_ENTITY_TYPES,
  AUDIT_OUTCOMES,
  AUDIT_TYPES,
  PURPOSES_OF_USE,
} from './audit-event';

export const AUDIT_TABLE = 'audit_event';
const APPEND_ONLY_FUNCTION = 'audit_event_append_only';

const list = (values: readonly (string | number)[]): string =>
  values.map((v) => (typeof v === 'number' ? String(v) : `'${v}'`)).join(', ');

/**
 * The append-only audit table of one service schema. Run after `createRuntimeRole`: the runtime role may
 * INSERT and SELECT (its own organisation's rows, or all when acting as the service), never UPDATE, DELETE or
 * TRUNCATE — not granted, and a trigger refuses them for everyone else too (the owner included).
 */
export async function createAuditTrail(queryRunner: QueryRunner): Promise<void> {
  const s = quoteIdent(migrationSchema(queryRunner));
  const role = quoteIdent(runtimeRoleOf(migrationSchema(queryRunner)));
  await queryRunner.query(`
    CREATE TABLE ${s}.${AUDIT_TABLE} (
      id uuid PRIMARY KEY,
      recorded timestamptz NOT NULL DEFAULT clock_timestamp(),
      type text NOT NULL CHECK (type IN (${list(AUDIT_TYPES)})),
      subtype text NOT NULL,
      action char(1) NOT NULL CHECK (action IN (${list(AUDIT_ACTIONS)})),
      outcome smallint NOT NULL CHECK (outcome IN (${list(AUDIT_OUTCOMES)})),
      outcome_code text,
      agent_type text NOT NULL CHECK (agent_type IN ('organisation', 'system')),
      agent_organisation_id text,
      agent_organisation_kind text,
      agent_user_id text,
      agent_reason text,
      entity_type text NOT NULL CHECK (entity_type IN (${list(AUDIT_ENTITY_TYPES)})),
      entity_id text NOT NULL,
      purpose_of_use text NOT NULL CHECK (purpose_of_use IN (${list(PURPOSES_OF_USE)})),
      source text NOT NULL,
      CONSTRAINT audit_event_agent_ck CHECK ((agent_type = 'organisation') = (agent_organisation_id IS NOT NULL))
    )`);
  await queryRunner.query(
    `CREATE INDEX audit_event_recorded_idx ON ${s}.${AUDIT_TABLE} (recorded DESC, id DESC)`,
  );
  await queryRunner.query(
    `CREATE INDEX audit_event_entity_idx ON ${s}.${AUDIT_TABLE} (entity_id, recorded DESC)`,
  );
  await queryRunner.query(
    `CREATE INDEX audit_event_agent_idx ON ${s}.${AUDIT_TABLE} (agent_organisation_id, recorded DESC)`,
  );
  await queryRunner.query(`
    CREATE FUNCTION ${s}.${APPEND_ONLY_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await queryRunner.query(`
    CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${s}.${AUDIT_TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.${APPEND_ONLY_FUNCTION}()`);
  await queryRunner.query(`REVOKE ALL ON ${s}.${AUDIT_TABLE} FROM ${role}`);
  await queryRunner.query(`GRANT SELECT, INSERT ON ${s}.${AUDIT_TABLE} TO ${role}`);
  // An organisation writes and reads only records where it is the agent; the service itself sees all.
  await enableOrganisationPolicies(queryRunner, [
    { table: AUDIT_TABLE, organisationCheck: `agent_organisation_id = ${ACTOR_ORGANISATION_SQL}` },
  ]);
}

const ENTITY_TYPE_CHECK = 'audit_event_entity_type_check';

/**
 * Lets the audit table hold records of audit-trail reads (entity type `audit-trail`). It sets the check to every
 * entity type this code knows (not a frozen list), so it never removes one another migration added.
 */
export async function allowAuditTrailReads(queryRunner: QueryRunner): Promise<void> {
  await allowAuditEntityTypes(queryRunner);
}

/** Back out: the check without `audit-trail`, not validated (the append-only table keeps the read records). */
export async function disallowAuditTrailReads(queryRunner: QueryRunner): Promise<void> {
  await disallowAuditEntityTypes(queryRunner, ['audit-trail']);
}

/** Sets the entity type check to every type this code knows (a migration that adds one calls it). */
export async function allowAuditEntityTypes(queryRunner: QueryRunner): Promise<void> {
  await setEntityTypes(queryRunner, AUDIT_ENTITY_TYPES, false);
}

/** Back out of added entity types: the check without them, not validated (the records stay). */
export async function disallowAuditEntityTypes(
  queryRunner: QueryRunner,
  removed: readonly string[],
): Promise<void> {
  await setEntityTypes(
    queryRunner,
    AUDIT_ENTITY_TYPES.filter((t) => !removed.includes(t)),
    true,
  );
}

async function setEntityTypes(
  queryRunner: QueryRunner,
  types: readonly string[],
  notValid: boolean,
): Promise<void> {
  const s = quoteIdent(migrationSchema(queryRunner));
  await queryRunner.query(
    `ALTER TABLE ${s}.${AUDIT_TABLE} DROP CONSTRAINT ${ENTITY_TYPE_CHECK},
       ADD CONSTRAINT ${ENTITY_TYPE_CHECK} CHECK (entity_type IN (${list(types)}))${notValid ? ' NOT VALID' : ''}`,
  );
}

export async function dropAuditTrail(queryRunner: QueryRunner): Promise<void> {
  const s = quoteIdent(migrationSchema(queryRunner));
  await disableOrganisationPolicies(queryRunner, [AUDIT_TABLE]);
  await queryRunner.query(`DROP TABLE ${s}.${AUDIT_TABLE}`);
  await queryRunner.query(`DROP FUNCTION ${s}.${APPEND_ONLY_FUNCTION}()`);
}
