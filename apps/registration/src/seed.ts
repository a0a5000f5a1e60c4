import 'reflect-metadata';
import { Client } from 'pg';
import { SERVICES } from '@app/contracts';
import { loadServiceConfig } from '@app/core';
import { DEMO_CLIENTS, upsertApiClients } from './auth/demo-clients';

/** Demo reference data (run by `npm start` after migrations): API keys for a few organisations of 安康市. */
async function seed(): Promise<void> {
  const config = loadServiceConfig(SERVICES.registration);
  if (process.env.NODE_ENV === 'production') {
    process.stdout.write('registration seed: skipped in production (no demo keys)\n');
    return;
  }
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await upsertApiClients((sql, params) => client.query(sql, params), config.dbSchema, DEMO_CLIENTS);
    process.stdout.write(`registration seed: ${DEMO_CLIENTS.length} demo API clients\n`);
    for (const c of DEMO_CLIENTS)
      process.stdout.write(`  ${c.organisationId} [${c.kind}]  X-API-Key: ${c.apiKey}\n`);
  } finally {
    await client.end();
  }
}

seed().catch((error: unknown) => {
  process.stderr.write(`registration seed failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
