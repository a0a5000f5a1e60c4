/**
 * `npm run migrate` / `npm run migrate:down`: every app's schema up (in catalogue order) or all the way down
 * (in reverse order), each with the app's own migrations and the same runner as `dist/apps/<app>/src/migrate.js`.
 *
 *   node dist/scripts/migrate.js up|down [--app <name>]...
 *
 * Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/referral_bus). DB_SCHEMA is honoured
 * only with a single --app: it names one schema, and every app owns its own.
 */
import { parseArgs } from 'node:util';
import { SERVICE_NAMES } from '@app/contracts';
import { DatabaseDefinition } from '@app/persistence';
import { MigrationDirection, migrateService } from '@app/platform';
import { DATABASE as EMPLOYMENT_REFERRAL } from '@apps/employment-referral/src/database';
import { DATABASE as HOSPITAL_INTAKE } from '@apps/hospital-intake/src/database';
import { DATABASE as OPS_MONITOR } from '@apps/ops-monitor/src/database';
import { DATABASE as REGISTRATION } from '@apps/registration/src/database';
import { DATABASE as REHAB_SITE } from '@apps/rehab-site/src/database';

type AppName = (typeof SERVICE_NAMES)[number];

/** Each app's schema definition (its database.ts). A new app in the catalogue does not compile until added. */
export const DATABASES: Readonly<Record<AppName, DatabaseDefinition>> = {
  'hospital-intake': HOSPITAL_INTAKE,
  registration: REGISTRATION,
  'rehab-site': REHAB_SITE,
  'employment-referral': EMPLOYMENT_REFERRAL,
  'ops-monitor': OPS_MONITOR,
};

export const USAGE = 'usage: migrate [up|down] [--app <name>]...';

export class UsageError extends Error {}

export interface MigratePlan {
  readonly direction: MigrationDirection;
  /** In the order they are migrated: catalogue order up, reverse order down. */
  readonly apps: readonly AppName[];
  readonly help: boolean;
}

export function parseMigrateArgs(
  argv: readonly string[],
  names: readonly AppName[] = SERVICE_NAMES,
): MigratePlan {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { app: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { positionals, values } = parsed;
  if (positionals.length > 1)
    throw new UsageError(`one direction at most, got ${positionals.join(' ')}\n${USAGE}`);
  const direction = positionals[0] ?? 'up';
  if (direction !== 'up' && direction !== 'down') {
    throw new UsageError(`unknown direction "${direction}" (use up or down)\n${USAGE}`);
  }
  const wanted = values.app ?? [];
  const unknown = wanted.filter((name) => !(names as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`unknown app(s): ${unknown.join(', ')}; known: ${names.join(', ')}`);
  }
  const selected = wanted.length === 0 ? [...names] : names.filter((name) => wanted.includes(name));
  return {
    direction,
    apps: direction === 'up' ? selected : selected.reverse(),
    help: values.help === true,
  };
}

export async function main(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let plan: MigratePlan;
  try {
    plan = parseMigrateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`migrate: ${error.message}\n`);
    return 2;
  }
  if (plan.help) {
    process.stdout.write(`${USAGE}\n  apps, in order: ${SERVICE_NAMES.join(', ')}\n`);
    return 0;
  }
  if (plan.apps.length > 1 && env.DB_SCHEMA?.trim()) {
    process.stderr.write('migrate: DB_SCHEMA names one schema; use it with a single --app <name>\n');
    return 2;
  }
  for (const app of plan.apps) {
    try {
      await migrateService(app, DATABASES[app], plan.direction, { env });
    } catch (error) {
      process.stderr.write(`${app} migration failed: ${(error as Error).message}\n`);
      const skipped = plan.apps.slice(plan.apps.indexOf(app) + 1);
      if (skipped.length > 0) process.stderr.write(`not migrated ${plan.direction}: ${skipped.join(', ')}\n`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(
        `migrate failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
