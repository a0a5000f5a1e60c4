import 'reflect-metadata';
import { Client } from 'pg';
import { SERVICES } from '@app/contracts';
import { loadServiceConfig } from '@app/core';
import { demoApiKey, upsertApiKeys } from '@app/auth';
import { DivisionDirectory } from '@app/divisions';
import { demoCoordinator, insertStaffAccounts } from '@app/staff';
import { prefectureSites } from './directory/seed-sites';

/** The demo prefecture: 安康市 (陕西). */
const CITY_CODE = '6109';
/**
 * The demo sites whose keys and coordinators are printed: the ones the integration guide's example discharge (a
 * resident of 老城街道 committee 610902001003, 汉滨区) meets — its community station first, then the street site and
 * the county centre it escalates to — so whoever follows the guide sees the referral arrive in the workbench.
 */
const DEMO_SITES = ['cs-610902001003', 'ss-610902001', 'cc-610902'];

/**
 * Demo reference data (run by `npm start` after migrations, idempotent): the site directory of 安康市 with
 * deterministic demo API keys. Existing sites are left as they are.
 */
async function seed(): Promise<void> {
  const config = loadServiceConfig(SERVICES.rehabSite);
  if (process.env.NODE_ENV === 'production') {
    process.stdout.write('rehab-site seed: skipped in production (no demo keys)\n');
    return;
  }
  const sites = await prefectureSites(await DivisionDirectory.load(), CITY_CODE);
  const schema = `"${config.dbSchema}"`;
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  let created = 0;
  try {
    await client.query('BEGIN');
    for (const site of sites) {
      const inserted = await client.query(
        `INSERT INTO ${schema}.site (id, name, level, county_code, functions, services, capacity, contact_address,
                contact_phone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
        [
          site.id,
          site.name,
          site.level,
          site.countyCode,
          site.functions,
          site.services,
          site.capacity,
          site.contactAddress,
          site.contactPhone,
        ],
      );
      if (inserted.rowCount === 0) {
        // A site seeded before it had a public contact gets the demo one; one set by ops is kept.
        await client.query(
          `UPDATE ${schema}.site SET contact_address = $2, contact_phone = $3
            WHERE id = $1 AND contact_address IS NULL AND contact_phone IS NULL`,
          [site.id, site.contactAddress, site.contactPhone],
        );
      }
      if (inserted.rowCount === 1) {
        created++;
        await upsertApiKeys((sql, params) => client.query(sql, params), config.dbSchema, [
          {
            organisationId: site.id,
            organisationKind: 'site',
            organisationName: site.name,
            divisionCode: site.countyCode,
            apiKey: demoApiKey('site', site.id),
          },
        ]);
        await client.query(
          `INSERT INTO ${schema}.site_area (division_code, site_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [site.areaCode, site.id],
        );
      }
    }
    // A demo coordinator (the web workbench) of each demo site.
    await insertStaffAccounts(
      (sql, params) => client.query(sql, params),
      config.dbSchema,
      demoSites(sites).map((site) => demoCoordinator(site.id, 'site', site.name, site.countyCode)),
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
  const count = (level: string) => sites.filter((s) => s.level === level).length;
  process.stdout.write(
    `rehab-site seed: 安康市 ${count('county-centre')} county centres, ${count('street-site')} street/township sites, ` +
      `${count('community-station')} community stations (${created} new)\n`,
  );
  for (const site of demoSites(sites)) {
    process.stdout.write(`  demo key ${site.id} (${site.name}): X-API-Key: ${demoApiKey('site', site.id)}\n`);
  }
  for (const site of demoSites(sites)) {
    const coordinator = demoCoordinator(site.id, 'site', site.name, site.countyCode);
    process.stdout.write(
      `  demo staff ${site.id}: username ${coordinator.username} password ${coordinator.password}\n`,
    );
  }
  process.stdout.write(
    `  every seeded site's demo key is demo_ + the first 40 hex of sha256("referral-bus demo site key: <siteId>"); ` +
      `directory admin: an ops-admin JWT (npm run ops:token -- --role ops-admin); ` +
      `staff accounts: POST /v1/staff/accounts with the site's key, or sign in as the demo coordinator ` +
      `(password demo- + the first 24 hex of sha256("referral-bus demo staff password: <siteId>"))\n`,
  );
}

function demoSites<T extends { id: string }>(sites: readonly T[]): T[] {
  return DEMO_SITES.map((id) => sites.find((s) => s.id === id)).filter((s) => s !== undefined);
}

seed().catch((error: unknown) => {
  process.stderr.write(`rehab-site seed failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
