import { runtimeRoleOf } from './row-security';

/** Something that runs SQL (a pg Client, a DataSource). */
interface Sql {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Rows of a query, from a DataSource (an array) or a pg Client (`{ rows }`). */
async function rowsOf(db: Sql, sql: string, params: unknown[]): Promise<unknown[]> {
  const result = await db.query(sql, params);
  return Array.isArray(result) ? (result as unknown[]) : ((result as { rows?: unknown[] }).rows ?? []);
}

/** The app's own database login for a schema: `<schema>_login` (roles are cluster-wide; schemas are unique). */
export function loginRoleOf(schema: string): string {
  const suffix = '_login';
  return `${schema.slice(0, 63 - suffix.length)}${suffix}`;
}

/**
 * Creates (or updates the password of) the app's LOGIN role for `schema`: no superuser, no BYPASSRLS, no
 * CREATEDB/CREATEROLE/REPLICATION, NOINHERIT, CONNECT on the database, and membership only in the schema's
 * runtime role (which holds the schema's working grants and is subject to row-level security). The app
 * connects with it and takes the runtime role at connect (`-c role=`); it cannot take another schema's role,
 * read another schema or switch row security off. Run as an admin after the schema's migrations.
 */
export async function provisionLoginRole(
  db: Sql,
  options: { database: string; schema: string; password: string },
): Promise<string> {
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(options.password)) {
    throw new Error('a login password is 16–128 letters, digits, - or _');
  }
  const login = loginRoleOf(options.schema);
  const l = ident(login);
  const attributes = `LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION NOINHERIT PASSWORD '${options.password}'`;
  const exists = await rowsOf(db, `SELECT 1 FROM pg_roles WHERE rolname = $1`, [login]);
  await db.query(`${exists.length > 0 ? 'ALTER' : 'CREATE'} ROLE ${l} ${attributes}`);
  await db.query(`GRANT CONNECT ON DATABASE ${ident(options.database)} TO ${l}`);
  await db.query(`GRANT ${ident(runtimeRoleOf(options.schema))} TO ${l}`);
  return login;
}

/** Removes the login (tests, decommissioning an app). */
export async function dropLoginRole(db: Sql, schema: string): Promise<void> {
  const login = loginRoleOf(schema);
  const exists = await rowsOf(db, `SELECT 1 FROM pg_roles WHERE rolname = $1`, [login]);
  if (exists.length === 0) return;
  await db.query(`DROP OWNED BY ${ident(login)}`);
  await db.query(`DROP ROLE ${ident(login)}`);
}

/** `url` with the login's user name and password in it. */
export function loginUrl(url: string, login: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = login;
  parsed.password = password;
  return parsed.toString();
}
