/**
 * Routing benchmark (issue 7): the time to route one referral.registered (insert, candidate query, atomic
 * place reservation, assignment, outbox rows: the real RoutingService path, in one transaction) with a
 * 10,000-site directory and 100,000 stored referrals, against the same with 10 sites. Prints p50/p95/mean of
 * both and the ratio; exits 1 when the large/small ratio of p50 exceeds 1.5.
 *
 *   npm run build && node dist/scripts/bench-routing.js [routings=400]
 *
 * Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/referral_bus_bench) and NATS_URL, in
 * two fresh schemas and a private bus namespace that are removed afterwards.
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { EVENTS, REHAB_SERVICES, referralSealContext, SERVICES } from '@app/contracts';
import { DEFAULT_NATS_URL } from '@app/core';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { DivisionDirectory } from '@app/divisions';
import { buildEnvelope } from '@app/messaging';
import { ensureDatabase, migrateUp } from '@app/persistence';
import { createServiceApp } from '@app/platform';
import { AppModule } from '@apps/rehab-site/src/app.module';
import { DATABASE } from '@apps/rehab-site/src/database';
import { ReferralIntakeService } from '@apps/rehab-site/src/referrals/referral-intake.service';

const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/referral_bus_bench';
const NATS_URL = process.env.NATS_URL ?? DEFAULT_NATS_URL;
const ROUTINGS = Number(process.argv[2] ?? 400);
const WARM_UP = 50;
const MAX_RATIO = 1.5;

/** 汉滨区老城街道: the committees the measured referrals live in. */
const COMMITTEES = ['610902001003', '610902001004', '610902001005', '610902001007', '610902001008'];
const BASE_SITES: [string, string, string][] = [
  ...COMMITTEES.map((c): [string, string, string] => [`cs-${c}`, 'community-station', c]),
  ['ss-610902001', 'street-site', '610902001'],
  ['ss-610902002', 'street-site', '610902002'],
  ['ss-610902003', 'street-site', '610902003'],
  ['ss-610902004', 'street-site', '610902004'],
  ['cc-610902', 'county-centre', '610902'],
];

interface Stats {
  p50: number;
  p95: number;
  mean: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

async function insertSites(client: Client, schema: string, sites: [string, string, string][]): Promise<void> {
  for (let i = 0; i < sites.length; i += 1000) {
    const chunk = sites.slice(i, i + 1000);
    await client.query(
      `INSERT INTO ${schema}.site (id, name, level, county_code, services, capacity)
       SELECT id, id, level, left(code, 6), $4::text[], 1000000
         FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, level, code)`,
      [chunk.map((s) => s[0]), chunk.map((s) => s[1]), chunk.map((s) => s[2]), [...REHAB_SERVICES]],
    );
    await client.query(
      `INSERT INTO ${schema}.site_area (division_code, site_id) SELECT code, id FROM unnest($1::text[], $2::text[]) AS t(id, code)`,
      [chunk.map((s) => s[0]), chunk.map((s) => s[2])],
    );
  }
}

/** 9,990 more sites across 陕西 (real committees, townships and counties) and 100,000 stored referrals. */
async function fillLarge(client: Client, schema: string): Promise<void> {
  const divisions = await DivisionDirectory.load();
  const taken = new Set(BASE_SITES.map((s) => s[0]));
  const extra: [string, string, string][] = [];
  for (const county of divisions.countiesOf('61').filter((_, i) => i < 200)) {
    if (!taken.has(`cc-${county.code}`)) extra.push([`cc-${county.code}`, 'county-centre', county.code]);
    for (const township of divisions.townshipsOf(county.code)) {
      if (!taken.has(`ss-${township.code}`))
        extra.push([`ss-${township.code}`, 'street-site', township.code]);
    }
  }
  for (const committee of await DivisionDirectory.villagesUnder('61')) {
    if (extra.length >= 9990) break;
    if (!taken.has(`cs-${committee.code}`))
      extra.push([`cs-${committee.code}`, 'community-station', committee.code]);
  }
  await insertSites(client, schema, extra.slice(0, 9990));
  await client.query(
    `WITH areas AS (
       SELECT (row_number() OVER (ORDER BY site_id, division_code))::int - 1 AS k, site_id, division_code
         FROM ${schema}.site_area),
     n AS (SELECT count(*)::int AS n FROM areas)
     INSERT INTO ${schema}.referral (referral_id, registration_id, patient_ref, residence_division_code, needs,
            risk_level, colour_grade, registered_at, status, site_id, hop, assigned_at, answer_due_at, holds_place)
     SELECT gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), a.division_code, ARRAY['day-care'], 1, 'green',
            now() - make_interval(days => g.i % 365),
            (ARRAY['assigned','accepted','closed','accepted'])[1 + g.i % 4], a.site_id, 1 + g.i % 3,
            now() - make_interval(days => g.i % 365), now() + interval '3 days', g.i % 4 <> 2
       FROM (SELECT i, (i * 7919) % (SELECT n FROM n) AS k FROM generate_series(1, 100000) AS i) g
       JOIN areas a ON a.k = g.k`,
  );
  await client.query(
    `INSERT INTO ${schema}.referral_exclusion (referral_id, site_id, reason, reason_code, hop, at)
     SELECT referral_id, 'cc-610902', 'declined', 'no-capacity', 1, now() FROM ${schema}.referral
      WHERE random() < 0.2 ON CONFLICT DO NOTHING`,
  );
  await client.query(
    `ANALYZE ${schema}.site; ANALYZE ${schema}.site_area; ANALYZE ${schema}.referral; ANALYZE ${schema}.referral_exclusion`,
  );
}

async function measure(app: INestApplication, cipher: FieldCipher, count: number): Promise<number[]> {
  const referrals = app.get(ReferralIntakeService);
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const committee = COMMITTEES[i % COMMITTEES.length];
    // One in five needs vocational rehab: past the station to the street site.
    const needs = i % 5 === 4 ? (['vocational-rehab'] as const) : (['day-care', 'life-skills'] as const);
    const referralId = randomUUID();
    const event = buildEnvelope(
      EVENTS.referralRegistered,
      SERVICES.registration,
      {
        referralId,
        registrationId: randomUUID(),
        patientRef: randomUUID(),
        residenceDivisionCode: committee,
        needs: [...needs],
        riskLevel: 1,
        colourGrade: 'green',
        registeredAt: new Date().toISOString(),
        sealedContact: cipher.sealJson({ name: 'bench' }, referralSealContext('siteContact', referralId)),
      },
      { subject: referralId },
    );
    const started = process.hrtime.bigint();
    await referrals.onRegistered(event);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

async function main(): Promise<void> {
  await ensureDatabase(DATABASE_URL);
  const run = `benchrt${randomBytes(3).toString('hex')}`;
  const schemas = { small: `${run}_small`, large: `${run}_large` };
  const client = new Client({ connectionString: DATABASE_URL });
  await client.connect();
  const cipher = new FieldCipher(keyringFromEnv());
  const apps: INestApplication[] = [];
  try {
    for (const schema of Object.values(schemas)) {
      await migrateUp({ url: DATABASE_URL, schema, applicationName: 'bench-migrate' }, DATABASE);
      await insertSites(client, `"${schema}"`, BASE_SITES);
    }
    const t0 = Date.now();
    await fillLarge(client, `"${schemas.large}"`);
    const [{ sites }] = (await client.query(`SELECT count(*)::int AS sites FROM "${schemas.large}".site`))
      .rows as { sites: number }[];
    const [{ referrals }] = (
      await client.query(`SELECT count(*)::int AS referrals FROM "${schemas.large}".referral`)
    ).rows as { referrals: number }[];
    process.stdout.write(
      `large directory: ${sites} sites, ${referrals} stored referrals (filled in ${Date.now() - t0} ms)\n`,
    );

    const results: Record<string, Stats> = {};
    // Interleave small and large in rounds so machine noise hits both alike.
    const samples: Record<string, number[]> = { small: [], large: [] };
    for (const [name, schema] of Object.entries(schemas)) {
      const app = await createServiceApp(
        AppModule.register({
          config: {
            databaseUrl: DATABASE_URL,
            dbSchema: schema,
            natsServers: [NATS_URL],
            busNamespace: run,
            httpPort: 0,
            logLevel: 'warn',
          },
        }),
        { title: 'bench', description: 'bench' },
      );
      await app.init();
      apps.push(app);
      await measure(app, cipher, WARM_UP);
      samples[name] = [];
    }
    const rounds = 4;
    for (let r = 0; r < rounds; r++) {
      for (const [i, name] of Object.keys(schemas).entries()) {
        samples[name].push(...(await measure(apps[i], cipher, Math.ceil(ROUTINGS / rounds))));
      }
    }
    for (const name of Object.keys(schemas)) results[name] = stats(samples[name]);
    const ratio = results.large.p50 / results.small.p50;
    const fmt = (s: Stats) =>
      `p50 ${s.p50.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms  mean ${s.mean.toFixed(2)} ms`;
    process.stdout.write(`routing, 10 sites:                          ${fmt(results.small)}\n`);
    process.stdout.write(`routing, ${sites} sites + ${referrals} referrals: ${fmt(results.large)}\n`);
    process.stdout.write(
      `ratio large/small: p50 ${ratio.toFixed(2)}, p95 ${(results.large.p95 / results.small.p95).toFixed(2)} (limit ${MAX_RATIO})\n`,
    );
    process.exitCode = ratio <= MAX_RATIO ? 0 : 1;
  } finally {
    for (const app of apps) await app.close();
    for (const schema of Object.values(schemas))
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names())
      if (name.startsWith(`${run}_`)) await jsm.streams.delete(name);
    await nc.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-routing failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
