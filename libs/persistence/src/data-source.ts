import { Client } from 'pg';
import { DataSource, DataSourceOptions, QueryRunner } from 'typeorm';
import { DatabaseDefinition } from './database-definition';
import { PreparingClient } from './statement-cache';

export interface DataSourceSettings {
  readonly url: string;
  readonly schema: string;
  /** Name of the app in pg_stat_activity. */
  readonly applicationName: string;
  readonly poolSize?: number;
  /**
   * The role every pooled connection takes at connect (`-c role=…` in the startup packet): the runtime role,
   * not the table owner, so row-level security applies. Unset for migrations (they run as the owner).
   */
  readonly runtimeRole?: string;
  /**
   * Parameterised statements each connection keeps prepared (parsed and planned once), see PreparingClient.
   * 0 or unset: every statement is parsed and planned at each execution (migrations, tools).
   */
  readonly statementCacheSize?: number;
}

export const MIGRATIONS_TABLE = 'schema_migrations';

export function dataSourceOptions(
  settings: DataSourceSettings,
  definition: DatabaseDefinition,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    schema: settings.schema,
    entities: definition.entities,
    migrations: definition.migrations,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    applicationName: settings.applicationName,
    poolSize: settings.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: 5000,
      ...(settings.runtimeRole ? { options: `-c role=${assertRoleName(settings.runtimeRole)}` } : {}),
      ...(settings.statementCacheSize
        ? { Client: PreparingClient, statementCacheSize: settings.statementCacheSize }
        : {}),
    },
  };
}

function assertRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`Invalid runtime role name ${role}`);
  return role;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Creates the database named in `url` when it does not exist (connecting to the `postgres` database). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL ${target.origin} names no database`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
      } catch (error) {
        // Another process created it between our check and our CREATE.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

export async function ensureSchema(dataSource: DataSource, schema: string): Promise<void> {
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
}

/** Applies every pending migration of one service's schema; returns their names. */
export async function migrateUp(
  settings: DataSourceSettings,
  definition: DatabaseDefinition,
): Promise<string[]> {
  await ensureDatabase(settings.url);
  const dataSource = new DataSource(dataSourceOptions({ ...settings, poolSize: 2 }, definition));
  await dataSource.initialize();
  try {
    await ensureSchema(dataSource, settings.schema);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Reverts migrations one by one, newest first (`steps` of them, or all). Returns the reverted names. */
export async function migrateDown(
  settings: DataSourceSettings,
  definition: DatabaseDefinition,
  steps = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions({ ...settings, poolSize: 2 }, definition));
  await dataSource.initialize();
  const reverted: string[] = [];
  try {
    await ensureSchema(dataSource, settings.schema);
    while (reverted.length < steps) {
      const executed = await dataSource.query<{ name: string }[]>(
        `SELECT name FROM ${quoteIdent(settings.schema)}.${MIGRATIONS_TABLE} ORDER BY timestamp DESC, id DESC LIMIT 1`,
      );
      if (executed.length === 0) break;
      await dataSource.undoLastMigration({ transaction: 'each' });
      reverted.push(executed[0].name);
    }
    return reverted;
  } finally {
    await dataSource.destroy();
  }
}

export { quoteIdent };

/** The schema a migration runs in (the data source's), unquoted: migrations never hard-code it. */
export function migrationSchema(queryRunner: QueryRunner): string {
  return (queryRunner.connection.options as { schema?: string }).schema ?? 'public';
}

/** The same, quoted for SQL (`"rehab_site"`). */
export function quotedMigrationSchema(queryRunner: QueryRunner): string {
  return quoteIdent(migrationSchema(queryRunner));
}
