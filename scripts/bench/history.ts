import { Client } from 'pg';
import { REHAB_SERVICES } from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';
import { prefectureSites } from '@apps/rehab-site/src/directory/seed-sites';
import { RawSite } from './raw-baseline';

/** The demo prefecture the apps seed (安康市); the bench's residences are its urban committees. */
export const BENCH_CITY = '6109';

export interface BenchSite extends RawSite {
  name: string;
  countyCode: string;
  services: string[];
}

/**
 * The site directory of a run: the apps' demo network of 安康市 (what their seed writes), grown to `total`
 * sites with county centres, street sites and community stations elsewhere in 陕西 (real division codes).
 */
export async function benchDirectory(total: number): Promise<{ demo: BenchSite[]; extra: BenchSite[] }> {
  const demo: BenchSite[] = (await prefectureSites(await DivisionDirectory.load(), BENCH_CITY)).map((s) => ({
    id: s.id,
    name: s.name,
    level: s.level,
    countyCode: s.countyCode,
    areaCode: s.areaCode,
    services: s.services,
  }));
  const extra: BenchSite[] = [];
  const taken = new Set(demo.map((s) => s.id));
  const add = (id: string, level: BenchSite['level'], areaCode: string) => {
    if (demo.length + extra.length >= total || taken.has(id)) return;
    taken.add(id);
    extra.push({
      id,
      name: id,
      level,
      countyCode: areaCode.slice(0, 6),
      areaCode,
      services: [...REHAB_SERVICES],
    });
  };
  if (total > demo.length) {
    const divisions = await DivisionDirectory.load();
    for (const county of divisions.countiesOf('61')) {
      add(`cc-${county.code}`, 'county-centre', county.code);
      for (const township of divisions.townshipsOf(county.code))
        add(`ss-${township.code}`, 'street-site', township.code);
    }
    for (const committee of await DivisionDirectory.villagesUnder('61')) {
      if (demo.length + extra.length >= total) break;
      add(`cs-${committee.code}`, 'community-station', committee.code);
    }
  }
  return { demo, extra };
}

/** Urban committees of the demo prefecture that have a community station: where bench patients live. */
export function benchResidences(demo: BenchSite[], count = 24): string[] {
  return demo
    .filter((s) => s.level === 'community-station')
    .map((s) => s.areaCode)
    .sort()
    .slice(0, count);
}

/** Adds sites to a rehab-site schema and gives every site unlimited places (the bench measures routing, not a full directory). */
export async function prepareRehabDirectory(
  client: Client,
  schema: string,
  extra: BenchSite[],
): Promise<void> {
  const s = `"${schema}"`;
  for (let i = 0; i < extra.length; i += 2000) {
    const chunk = extra.slice(i, i + 2000);
    await client.query(
      `INSERT INTO ${s}.site (id, name, level, county_code, services, capacity)
       SELECT id, name, level, county, $5::text[], 1000000000
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(id, name, level, county)
       ON CONFLICT (id) DO NOTHING`,
      [
        chunk.map((x) => x.id),
        chunk.map((x) => x.name),
        chunk.map((x) => x.level),
        chunk.map((x) => x.countyCode),
        [...REHAB_SERVICES],
      ],
    );
    await client.query(
      `INSERT INTO ${s}.site_area (division_code, site_id) SELECT code, id FROM unnest($1::text[], $2::text[]) AS t(id, code)
       ON CONFLICT DO NOTHING`,
      [chunk.map((x) => x.id), chunk.map((x) => x.areaCode)],
    );
  }
  await client.query(`UPDATE ${s}.site SET capacity = 1000000000`);
  await client.query(`ANALYZE ${s}.site; ANALYZE ${s}.site_area`);
}

export interface HistorySchemas {
  intake: string;
  registration: string;
  rehab: string;
  /** The bus namespace (durable names in the inbox rows are namespaced). */
  namespace: string;
}

/**
 * `count` referrals that went through the whole path before the bench, written with generate_series into
 * every table the hot path reads or writes, as the apps would have left them: hospital-intake (referral,
 * assessment, outbox rows published, inbox rows), registration (patient vault, registration, application,
 * consent, inbox, outbox) and rehab-site (referral spread over the directory's areas with statuses, some
 * exclusions, inbox, outbox). The same referral id in all three. Sealed values are placeholders of the real
 * shape's size class (nothing reads them on the measured path); outbox payloads are short.
 * Finishes with ANALYZE. Returns seconds taken.
 */
export async function seedHistory(
  client: Client,
  schemas: HistorySchemas,
  count: number,
  hospitalIds: string[],
  residences: string[],
): Promise<number> {
  const started = Date.now();
  const i = `"${schemas.intake}"`;
  const r = `"${schemas.registration}"`;
  const h = `"${schemas.rehab}"`;
  const ns = schemas.namespace;
  const sealed = `jsonb_build_object('v', 1, 'kid', 'seed', 'iv', md5(g::text), 'ct', repeat(md5(g::text), 4), 'tag', md5(g::text || 't'))`;
  const refId = `md5('referral' || g)::uuid`;
  const literal = (values: string[]) => {
    if (values.length === 0 || values.some((v) => !/^[A-Za-z0-9_-]+$/.test(v))) {
      throw new Error(`unexpected ids for the history seed: ${values.join(', ')}`);
    }
    return `ARRAY[${values.map((v) => `'${v}'`).join(', ')}]`;
  };
  const from = `FROM generate_series(1, $1::int) AS g`;
  const hospital = `(${literal(hospitalIds)})[1 + g % ${hospitalIds.length}]`;
  const residence = `(${literal(residences)})[1 + (g * 7) % ${residences.length}]`;
  const day = `make_interval(days => g % 730)`;
  const step = async (sql: string) => {
    await client.query(sql, [count]);
  };

  // hospital-intake
  await step(`INSERT INTO ${i}.referral (id, hospital_id, encounter_id, channel, status, admitted_at, discharged_at,
      discharge_disposition, residence_division_code, diagnoses, sealed_patient, id_number_index, consents, registration_id,
      registered_at, assigned_site_name, assigned_at, closed_at, outcome, created_at, updated_at)
    SELECT ${refId}, ${hospital}, 'HIST-' || g, 'json', CASE WHEN g % 10 < 6 THEN 'closed' ELSE 'registered' END,
      now() - ${day} - interval '40 days', now() - ${day}, 'home', ${residence}, ARRAY['F20.0'], ${sealed},
      md5('idx' || g), '[{"purpose":"community-rehab","grantedBy":"patient","method":"signed-at-hospital"}]'::jsonb,
      md5('registration' || g)::uuid, now() - ${day}, 'site', now() - ${day},
      CASE WHEN g % 10 < 6 THEN now() - ${day} + interval '90 days' END, CASE WHEN g % 10 < 6 THEN 'recovered' END,
      now() - ${day}, now() - ${day}
    ${from}`);
  await step(`INSERT INTO ${i}.discharge_assessment (referral_id, hospital_id, risk_level, condition_status, functional_scores,
      rehab_needs, employment_interest, colour_grade, eligible_for_community_rehab, assessed_at)
    SELECT ${refId}, ${hospital}, 1, 'basically-stable', '[{"instrument":"gaf","score":62}]'::jsonb, ARRAY['day-care','social-skills'],
      g % 3 = 0, 'green', true, now() - ${day}
    ${from}`);
  for (const [tag, subject] of [
    ['dis', 'referral.discharged'],
    ['ass', 'referral.assessed'],
  ]) {
    await step(`INSERT INTO ${i}.outbox (id, subject, event_type, ordering_key, payload, created_at, attempts, published_at, stream_seq)
      SELECT md5('${tag}' || g)::uuid, '${subject}', 'cn.referralbus.${subject}.v1', ${refId}::text,
        '{"seeded":true}', now() - ${day}, 1, now() - ${day}, g
      ${from}`);
  }
  for (const [tag, durable, type] of [
    ['reg', 'hospital-intake__referral-registered', 'referral.registered'],
    ['asg', 'hospital-intake__referral-assigned', 'referral.assigned'],
  ]) {
    await step(`INSERT INTO ${i}.inbox (consumer, event_id, event_type, processed_at)
      SELECT '${ns}_${durable}', md5('${tag}' || g)::uuid::text, 'cn.referralbus.${type}.v1', now() - ${day}
      ${from}`);
  }

  // registration
  await step(`INSERT INTO ${r}.patient (id, id_number_index, identity_index, name_sealed, id_number_sealed, birth_date_sealed,
      phone_sealed, address_sealed, sex, residence_division_code, lacks_capacity, created_at, updated_at)
    SELECT md5('patient' || g)::uuid, md5('idx' || g), md5('ident' || g), ${sealed}, ${sealed}, ${sealed}, ${sealed}, ${sealed},
      CASE WHEN g % 2 = 0 THEN 'female' ELSE 'male' END, ${residence}, false, now() - ${day}, now() - ${day}
    ${from}`);
  await step(`INSERT INTO ${r}.registration (id, patient_id, status, registered_at, created_at, updated_at)
    SELECT md5('registration' || g)::uuid, md5('patient' || g)::uuid, 'registered', now() - ${day}, now() - ${day}, now() - ${day}
    ${from}`);
  await step(`INSERT INTO ${r}.application (id, registration_id, channel, organisation_id, encounter_id, status,
      residence_division_code, needs, risk_level, condition_status, colour_grade, eligible, employment_interest, assessed_at,
      received_at, register_due_at, registered_at, created_at)
    SELECT ${refId}, md5('registration' || g)::uuid, 'hospital', ${hospital}, 'HIST-' || g, 'registered', ${residence},
      ARRAY['day-care','social-skills'], 1, 'basically-stable', 'green', true, g % 3 = 0, now() - ${day}, now() - ${day},
      now() - ${day} + interval '7 days', now() - ${day}, now() - ${day}
    ${from}`);
  await step(`INSERT INTO ${r}.consent (patient_id, purpose, granted_by, method, recorded_by, granted_at, created_at)
    SELECT md5('patient' || g)::uuid, 'community-rehab', 'patient', 'signed-at-hospital', ${hospital}, now() - ${day}, now() - ${day}
    ${from}`);
  await step(`INSERT INTO ${r}.inbox (consumer, event_id, event_type, processed_at)
    SELECT '${ns}_registration__referral-assessed', md5('ass' || g)::uuid::text, 'cn.referralbus.referral.assessed.v1', now() - ${day}
    ${from}`);
  await step(`INSERT INTO ${r}.outbox (id, subject, event_type, ordering_key, payload, created_at, attempts, published_at, stream_seq)
    SELECT md5('reg' || g)::uuid, 'referral.registered', 'cn.referralbus.referral.registered.v1', ${refId}::text,
      '{"seeded":true}', now() - ${day}, 1, now() - ${day}, g
    ${from}`);

  // rehab-site: referrals spread over the directory's areas (a site serving each)
  await client.query(
    `INSERT INTO ${h}.referral (referral_id, registration_id, patient_ref, residence_division_code, needs, risk_level,
        colour_grade, registered_at, sealed_contact, status, site_id, holds_place, hop, assigned_at, answer_due_at,
        accepted_at, closed_at, outcome, updated_at)
     SELECT md5('referral' || g.g)::uuid, md5('registration' || g.g)::uuid, md5('patient' || g.g)::uuid, a.division_code,
        ARRAY['day-care','social-skills'], 1, 'green', now() - make_interval(days => g.g % 730),
        jsonb_build_object('v', 1, 'kid', 'seed', 'ct', repeat(md5(g.g::text), 4)),
        CASE WHEN g.g % 50 = 0 THEN 'assigned' WHEN g.g % 10 < 6 THEN 'closed' ELSE 'in-service' END,
        a.site_id, g.g % 10 >= 6, 1 + g.g % 3, now() - make_interval(days => g.g % 730),
        CASE WHEN g.g % 50 = 0 THEN now() + interval '3 days' ELSE now() - make_interval(days => g.g % 730) + interval '3 days' END,
        CASE WHEN g.g % 50 <> 0 THEN now() - make_interval(days => g.g % 730) + interval '1 day' END,
        CASE WHEN g.g % 10 < 6 AND g.g % 50 <> 0 THEN now() - make_interval(days => g.g % 730) + interval '90 days' END,
        CASE WHEN g.g % 10 < 6 AND g.g % 50 <> 0 THEN 'recovered' END,
        now() - make_interval(days => g.g % 730)
       FROM (SELECT g, (g::bigint * 7919) % (SELECT count(*) FROM ${h}.site_area) AS k FROM generate_series(1, $1::int) AS g) g
       JOIN (SELECT (row_number() OVER (ORDER BY site_id, division_code)) - 1 AS k, site_id, division_code
               FROM ${h}.site_area) a ON a.k = g.k`,
    [count],
  );
  await client.query(
    `INSERT INTO ${h}.referral_exclusion (referral_id, site_id, reason, reason_code, hop, at)
     SELECT referral_id, (SELECT id FROM ${h}.site WHERE level = 'county-centre' ORDER BY id LIMIT 1), 'declined', 'no-capacity', 1, assigned_at
       FROM ${h}.referral WHERE hop > 1 AND get_byte(decode(md5(referral_id::text), 'hex'), 0) < 100
     ON CONFLICT DO NOTHING`,
  );
  await step(`INSERT INTO ${h}.inbox (consumer, event_id, event_type, processed_at)
    SELECT '${ns}_rehab-site__referral-registered', md5('reg' || g)::uuid::text, 'cn.referralbus.referral.registered.v1', now() - ${day}
    ${from}`);
  for (const [tag, subject] of [
    ['asg', 'referral.assigned'],
    ['sit', 'site.referral.assigned'],
  ]) {
    await step(`INSERT INTO ${h}.outbox (id, subject, event_type, ordering_key, payload, created_at, attempts, published_at, stream_seq)
      SELECT md5('${tag}' || g)::uuid, '${subject}', 'cn.referralbus.${subject}.v1', ${refId}::text,
        '{"seeded":true}', now() - ${day}, 1, now() - ${day}, g
      ${from}`);
  }
  const { rows } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = ANY($1)`,
    [[schemas.intake, schemas.registration, schemas.rehab]],
  );
  // What autovacuum would have done to tables this old: visibility map and statistics.
  for (const { name } of rows) await client.query(`VACUUM ANALYZE ${name}`);
  return (Date.now() - started) / 1000;
}
