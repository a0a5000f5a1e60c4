import 'reflect-metadata';
import { Client } from 'pg';
import { SERVICES } from '@app/contracts';
import { loadServiceConfig } from '@app/core';
import { demoApiKey, upsertApiKeys } from '@app/auth';
import { DivisionDirectory } from '@app/divisions';
import { prefectureProviders } from './providers/seed-providers';

/** The demo prefecture: 安康市 (陕西), as the sites' seed. */
const CITY_CODE = '6109';

/**
 * Demo reference data (run by `npm start` after migrations, idempotent): the employment providers of 安康市
 * with deterministic demo API keys. Existing providers are left as they are.
 */
async function seed(): Promise<void> {
  const config = loadServiceConfig(SERVICES.employmentReferral);
  if (process.env.NODE_ENV === 'production') {
    process.stdout.write('employment-referral seed: skipped in production (no demo keys)\n');
    return;
  }
  const providers = prefectureProviders(await DivisionDirectory.load(), CITY_CODE);
  const schema = `"${config.dbSchema}"`;
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  let created = 0;
  try {
    await client.query('BEGIN');
    for (const p of providers) {
      const inserted = await client.query(
        `INSERT INTO ${schema}.provider (id, name, county_code, programmes, capacity)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [p.id, p.name, p.countyCode, p.programmes, p.capacity],
      );
      if (inserted.rowCount !== 1) continue;
      created++;
      await client.query(`INSERT INTO ${schema}.provider_area (division_code, provider_id) VALUES ($1, $2)`, [
        p.areaCode,
        p.id,
      ]);
      await upsertApiKeys((sql, params) => client.query(sql, params), config.dbSchema, [
        {
          organisationId: p.id,
          organisationKind: 'employment-provider',
          organisationName: p.name,
          divisionCode: p.countyCode,
          apiKey: demoApiKey('employment provider', p.id),
        },
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
  process.stdout.write(
    `employment-referral seed: 安康市 ${providers.length} employment providers (${created} new)\n`,
  );
  for (const p of providers.filter((p) => p.countyCode === '610902')) {
    process.stdout.write(
      `  demo key ${p.id} (${p.name}): X-API-Key: ${demoApiKey('employment provider', p.id)}\n`,
    );
  }
  process.stdout.write(
    `  every seeded provider's demo key is demo_ + the first 40 hex of sha256("referral-bus demo employment provider key: <providerId>")\n`,
  );
}

seed().catch((error: unknown) => {
  process.stderr.write(`employment-referral seed failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
