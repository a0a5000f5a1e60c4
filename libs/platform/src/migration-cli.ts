import { ServiceName } from '@app/contracts';
import { loadServiceConfig } from '@app/core';
import { DatabaseDefinition, migrateDown, migrateUp } from '@app/persistence';

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
    const config = loadServiceConfig(service);
    const settings = {
      url: config.databaseUrl,
      schema: config.dbSchema,
      applicationName: `${service}-migrate`,
    };
    if (direction === 'up') {
      const applied = await migrateUp(settings, database);
      process.stdout.write(
        `${service}: ${applied.length} migration(s) applied${applied.length ? `: ${applied.join(', ')}` : ''}\n`,
      );
    } else if (direction === 'down') {
      const steps = stepsArg === undefined ? Number.POSITIVE_INFINITY : Number(stepsArg);
      if (!Number.isInteger(steps) && steps !== Number.POSITIVE_INFINITY)
        throw new Error(`steps must be a whole number, got ${stepsArg}`);
      const reverted = await migrateDown(settings, database, steps);
      process.stdout.write(
        `${service}: ${reverted.length} migration(s) reverted${reverted.length ? `: ${reverted.join(', ')}` : ''}\n`,
      );
    } else {
      throw new Error(`unknown direction "${direction}" (use up or down [steps])`);
    }
  } catch (error) {
    process.stderr.write(`${service} migration failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
