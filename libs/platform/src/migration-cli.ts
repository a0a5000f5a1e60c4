import { ServiceName } from '@app/contracts';
import { loadServiceConfig } from '@app/core';
import { DatabaseDefinition, migrateDown, migrateUp } from '@app/persistence';

export type MigrationDirection = 'up' | 'down';

export interface MigrateServiceOptions {
  /** Down only: how many of the newest migrations to revert (all by default). */
  readonly steps?: number;
  /** Where DATABASE_URL and DB_SCHEMA are read from (the service's own config rules). */
  readonly env?: NodeJS.ProcessEnv;
  readonly write?: (text: string) => void;
}

/**
 * Migrates one service's schema up (creating the database and schema if missing) or down, and prints one
 * line saying what it did. Returns the names of the migrations applied or reverted; throws on failure.
 */
export async function migrateService(
  service: ServiceName,
  database: DatabaseDefinition,
  direction: MigrationDirection,
  options: MigrateServiceOptions = {},
): Promise<string[]> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const config = loadServiceConfig(service, options.env);
  const settings = {
    url: config.databaseUrl,
    schema: config.dbSchema,
    applicationName: `${service}-migrate`,
  };
  const names =
    direction === 'up'
      ? await migrateUp(settings, database)
      : await migrateDown(settings, database, options.steps ?? Number.POSITIVE_INFINITY);
  const verb = direction === 'up' ? 'applied' : 'reverted';
  write(`${service}: ${names.length} migration(s) ${verb}${names.length ? `: ${names.join(', ')}` : ''}\n`);
  return names;
}

/**
 * `node migrate.js up` applies pending migrations (creating the database and schema if missing);
 * `node migrate.js down [steps]` reverts the newest ones (all by default).
 */
export async function runMigrationCli(
  service: ServiceName,
  database: DatabaseDefinition,
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const [direction = 'up', stepsArg] = argv;
  try {
    if (direction === 'up') {
      await migrateService(service, database, 'up');
    } else if (direction === 'down') {
      const steps = stepsArg === undefined ? Number.POSITIVE_INFINITY : Number(stepsArg);
      if (!Number.isInteger(steps) && steps !== Number.POSITIVE_INFINITY)
        throw new Error(`steps must be a whole number, got ${stepsArg}`);
      await migrateService(service, database, 'down', { steps });
    } else {
      throw new Error(`unknown direction "${direction}" (use up or down [steps])`);
    }
  } catch (error) {
    process.stderr.write(`${service} migration failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
