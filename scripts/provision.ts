import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { SERVICE_CATALOGUE } from '@app/contracts';
import { DEFAULT_DATABASE_URL } from '@app/core';
import { JetStreamProvisioner, Topology } from '@app/messaging';
import { loginUrl, provisionLoginRole } from '@app/persistence';
import { connectAsAdmin } from './admin-connection';

/** Where `provisionDatabaseLogins` keeps each app's login password (0600, git-ignored `.local`). */
export const DB_LOGINS_DIR = '.local/db-logins';

/**
 * The database half of the admin step: for each app (after its migrations made the schema and runtime role),
 * its own LOGIN role `<schema>_login` — not a superuser, no BYPASSRLS, member only of its schema's runtime role —
 * with a random password kept in `<dir>/<app>.password` (made once, reused). Connects as DATABASE_URL (an admin).
 * Returns each app's DATABASE_URL with its login.
 */
export async function provisionDatabaseLogins(
  env: NodeJS.ProcessEnv,
  apps: readonly string[],
  dir: string = DB_LOGINS_DIR,
): Promise<Map<string, string>> {
  const adminUrl = env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const database = decodeURIComponent(new URL(adminUrl).pathname.slice(1));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  const urls = new Map<string, string>();
  try {
    for (const app of apps) {
      const entry = SERVICE_CATALOGUE.find((s) => s.name === app);
      if (!entry) throw new Error(`${app} is not in the service catalogue`);
      const schema = entry.schema;
      const file = path.join(dir, `${app}.password`);
      const kept = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
      const password = /^[0-9a-f]{48}$/.test(kept) ? kept : randomBytes(24).toString('hex');
      fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
      const login = await provisionLoginRole(client, { database, schema, password });
      urls.set(app, loginUrl(adminUrl, login, password));
    }
  } finally {
    await client.end();
  }
  return urls;
}

/**
 * `npm run provision`: the admin step that creates or updates every JetStream stream and every durable consumer
 * of the registry (libs/contracts), and with `--db-logins` (after `npm run migrate`) each app's own database
 * login (`provisionDatabaseLogins`). Services started with `BUS_PROVISIONING=verify` only check that theirs exist,
 * so their NATS users need no right to create or change streams. Reads NATS_URL, BUS_NAMESPACE and
 * STREAM_REPLICAS like the services; on a secured server it connects as the `admin` NATS user
 * (NATS_NKEY_SEED_FILE = admin's seed, NATS_TLS_CA_FILE, optional NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE).
 */
export async function main(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): Promise<number> {
  if (argv.includes('--db-logins')) {
    const urls = await provisionDatabaseLogins(
      env,
      SERVICE_CATALOGUE.map((s) => s.name),
    );
    for (const [app, url] of urls) {
      process.stdout.write(
        `${app}: login ${new URL(url).username} (password in ${DB_LOGINS_DIR}/${app}.password)\n`,
      );
    }
  }
  const replicas = Number(env.STREAM_REPLICAS?.trim() || 1);
  if (![1, 3, 5].includes(replicas)) throw new Error('STREAM_REPLICAS must be 1, 3 or 5');
  const nc = await connectAsAdmin(env);
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const topology = new Topology(env.BUS_NAMESPACE ?? '');
    const provisioner = new JetStreamProvisioner();
    await provisioner.provisionAll(jsm, topology, replicas);
    await provisioner.verify(jsm, topology, { consumers: [] });
    process.stdout.write(`provisioned the streams and durables of the registry on ${nc.getServer()}\n`);
    return 0;
  } finally {
    await nc.close();
  }
}

if (require.main === module) {
  main(process.env, process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`provision: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
