import { QueryRunner } from 'typeorm';
import { MIGRATIONS_TABLE, migrationSchema, quoteIdent } from './data-source';

/**
 * Row-level security for one service schema, installed by a migration running as the owner.
 *
 * - a NOLOGIN runtime role per schema (`<schema>_runtime`; roles are cluster-wide, the schema is unique) that the
 *   app's pool connections take at connect, with only the DML it needs;
 * - ENABLE + FORCE ROW LEVEL SECURITY on each table holding referral or patient data, with one policy: the row is
 *   visible/writable when the transaction acts for the service itself (`app.system = 'on'`) or when its
 *   organisation (`app.organisation_id`) matches the table's organisation expression. No actor → no row.
 */
export function runtimeRoleOf(schema: string): string {
  const suffix = '_runtime';
  return `${schema.slice(0, 63 - suffix.length)}${suffix}`;
}

/** SQL for "this transaction acts for the service itself". */
export const SYSTEM_ACTOR_SQL = `coalesce(current_setting('app.system', true), '') = 'on'`;
/** SQL for "the organisation this transaction acts for" ('' when none). */
export const ACTOR_ORGANISATION_SQL = `coalesce(current_setting('app.organisation_id', true), '')`;

export interface OrganisationPolicy {
  readonly table: string;
  /**
   * A boolean SQL expression over the row that is true when the row belongs to the acting organisation; use
   * ACTOR_ORGANISATION_SQL, e.g. `hospital_id = ${ACTOR_ORGANISATION_SQL}`. `null`: only the service itself.
   */
  readonly organisationCheck: string | null;
}

const POLICY = 'organisation_isolation';

async function roleExists(queryRunner: QueryRunner, role: string): Promise<boolean> {
  const rows = (await queryRunner.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])) as unknown[];
  return rows.length > 0;
}

/** Creates the runtime role (if missing) and grants it the schema's working tables and sequences. */
export async function createRuntimeRole(queryRunner: QueryRunner): Promise<string> {
  const schema = migrationSchema(queryRunner);
  const s = quoteIdent(schema);
  const role = runtimeRoleOf(schema);
  const r = quoteIdent(role);
  if (!(await roleExists(queryRunner, role))) {
    try {
      await queryRunner.query(`CREATE ROLE ${r} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT`);
    } catch (error) {
      // Created concurrently by another migration of the same schema name (another database).
      if ((error as { code?: string }).code !== '42710') throw error;
    }
  }
  // The migrating login may take the role (a superuser can anyway; a non-superuser owner needs membership).
  await queryRunner.query(`GRANT ${r} TO CURRENT_USER`);
  await queryRunner.query(`GRANT USAGE ON SCHEMA ${s} TO ${r}`);
  await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`);
  await queryRunner.query(`REVOKE ALL ON ${s}.${quoteIdent(MIGRATIONS_TABLE)} FROM ${r}`);
  await queryRunner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`);
  // Tables later migrations create get the same working grants.
  await queryRunner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${r}`,
  );
  await queryRunner.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT USAGE, SELECT ON SEQUENCES TO ${r}`);
  return role;
}

/** Revokes everything the role holds in this database and drops it when no other database still uses it. */
export async function dropRuntimeRole(queryRunner: QueryRunner): Promise<void> {
  const schema = migrationSchema(queryRunner);
  const s = quoteIdent(schema);
  const role = runtimeRoleOf(schema);
  if (!(await roleExists(queryRunner, role))) return;
  const r = quoteIdent(role);
  await queryRunner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${r}`,
  );
  await queryRunner.query(
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} REVOKE USAGE, SELECT ON SEQUENCES FROM ${r}`,
  );
  await queryRunner.query(`DROP OWNED BY ${r}`);
  await queryRunner.query(`
    DO $$ BEGIN
      DROP ROLE ${r};
    EXCEPTION WHEN dependent_objects_still_exist THEN
      RAISE NOTICE 'role ${role} still holds privileges in another database; kept';
    END $$`);
}

export async function enableOrganisationPolicies(
  queryRunner: QueryRunner,
  policies: readonly OrganisationPolicy[],
): Promise<void> {
  const s = quoteIdent(migrationSchema(queryRunner));
  for (const { table, organisationCheck } of policies) {
    const t = `${s}.${quoteIdent(table)}`;
    const visible = organisationCheck
      ? `(${SYSTEM_ACTOR_SQL}) OR (${organisationCheck})`
      : `(${SYSTEM_ACTOR_SQL})`;
    await queryRunner.query(`ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE ${t} FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`CREATE POLICY ${POLICY} ON ${t} USING (${visible}) WITH CHECK (${visible})`);
  }
}

export async function disableOrganisationPolicies(
  queryRunner: QueryRunner,
  tables: readonly string[],
): Promise<void> {
  const s = quoteIdent(migrationSchema(queryRunner));
  for (const table of tables) {
    const t = `${s}.${quoteIdent(table)}`;
    await queryRunner.query(`DROP POLICY IF EXISTS ${POLICY} ON ${t}`);
    await queryRunner.query(`ALTER TABLE ${t} NO FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE ${t} DISABLE ROW LEVEL SECURITY`);
  }
}
