import 'reflect-metadata';
import { Client } from 'pg';
import { SERVICES } from '@app/contracts';
import { loadServiceConfig } from '@app/core';
import { demoCoordinator, insertStaffAccounts } from '@app/staff';
import {
  DEMO_GREEN_DESIGNATIONS,
  DEMO_HOSPITALS,
  seedGreenDesignations,
  seedHospitals,
} from './hospitals/demo-hospitals';

/** Demo hospitals of 安康市 with API keys (run by `npm start` after migrations; idempotent). */
async function seed(): Promise<void> {
  const config = loadServiceConfig(SERVICES.hospitalIntake);
  if (process.env.NODE_ENV === 'production') {
    process.stdout.write('hospital-intake seed: skipped in production (no demo keys)\n');
    return;
  }
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    const issued = await seedHospitals(
      (sql, params) => client.query(sql, params),
      config.dbSchema,
      DEMO_HOSPITALS,
    );
    await seedGreenDesignations(
      (sql, params) => client.query(sql, params),
      config.dbSchema,
      DEMO_GREEN_DESIGNATIONS,
    );
    // One demo coordinator of the green-channel desk, of the first demo hospital.
    const [first] = DEMO_HOSPITALS;
    const coordinator = demoCoordinator(first.id, 'hospital', first.name, first.countyDivisionCode);
    await insertStaffAccounts((sql, params) => client.query(sql, params), config.dbSchema, [coordinator]);
    await client.query('COMMIT');
    process.stdout.write(
      `hospital-intake seed: ${DEMO_HOSPITALS.length} demo hospitals, ${issued.length} new\n`,
    );
    process.stdout.write(
      `  demo staff ${first.id}: username ${coordinator.username} password ${coordinator.password}\n`,
    );
    for (const { hospitalId, apiKey } of issued) {
      // Shown once: only the sha256 is stored.
      process.stdout.write(`  ${hospitalId}  X-API-Key: ${apiKey}\n`);
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

seed().catch((error: unknown) => {
  process.stderr.write(`hospital-intake seed failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
