import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { OrganisationKind, upsertApiKeys } from '@app/auth';
import { ServiceName } from '@app/contracts';
import { DatabaseDefinition } from '@app/persistence';
import { ServiceOverrides } from '@app/platform';
import {
  closeServices,
  createStaffAccount,
  signIn,
  opsHeaders,
  SHARED_NATS_URL,
  ServiceUnderTest,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule as EmploymentModule } from '@apps/employment-referral/src/app.module';
import { DATABASE as EMPLOYMENT_DB } from '@apps/employment-referral/src/database';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { AppModule as OpsModule } from '@apps/ops-monitor/src/app.module';
import { DATABASE as OPS_DB } from '@apps/ops-monitor/src/database';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';
import { Bus, consumedEvents, consumersOf } from './faults/support/bus';
import { fuzzMessages } from './faults/support/fuzz';

/**
 * Property-based fuzz pass (issue #14) over EVERY HTTP route of every app — read from each app's router, so a
 * new route is fuzzed without a line here — with a credential the route accepts and arbitrary or malformed path
 * parameters, query strings, headers and bodies: never a 5xx, and a refused request (4xx) leaves the row counts
 * of the app's schema as they were. Then garbage on every consumed event subject: dead-lettered by every
 * consumer that reads it, nothing else stored, the apps still live. Seeded: FUZZ_SEED=<n> replays a failure
 * (the seed is printed with every failure); FUZZ_RUNS sets the runs per app.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000_007);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

const SPECS: [
  ServiceName,
  (o: ServiceOverrides) => ReturnType<typeof IntakeModule.register>,
  DatabaseDefinition,
][] = [
  ['hospital-intake', (o) => IntakeModule.register(o), INTAKE_DB],
  ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
  ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
  ['employment-referral', (o) => EmploymentModule.register(o), EMPLOYMENT_DB],
  ['ops-monitor', (o) => OpsModule.register(o), OPS_DB],
];

const tag = randomUUID().slice(0, 6);
const ORG_KINDS: OrganisationKind[] = [
  'hospital',
  'site',
  'family-portal',
  'county-centre',
  'employment-provider',
];
const orgId = (kind: OrganisationKind) => `fz-${kind}-${tag}`;
const KEYS = new Map(
  ORG_KINDS.map((k) => [k, `test_${k.replace(/-/g, '')}${randomUUID().replace(/-/g, '')}`]),
);
const orgKey = (kind: OrganisationKind) => KEYS.get(kind)!;

/**
 * Tables a request or handler writes for bookkeeping, not as its outcome: the rate-limit counters, and the audit
 * trail, which records denied attempts on purpose (AuditTrail.recordDenied).
 */
const BOOKKEEPING = new Set(['rate_limit', 'audit_event']);
/** A refused event is dead-lettered (a row, and the dlq.recorded + alert events in the outbox). */
// ops-monitor records every app's dead letter (dlq.recorded) and its alert: that record is the expected effect.
const EVENT_BOOKKEEPING = new Set([
  ...BOOKKEEPING,
  'dead_letter',
  'outbox',
  'inbox',
  'dead_letter_record',
  'ops_alert',
]);

interface Route {
  readonly method: string;
  readonly pattern: string;
}

function routesOf(app: INestApplication): Route[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  const routes: Route[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route || layer.route.path === '{/*splat}') continue;
    const pattern = layer.route.path.startsWith('/docs/') ? '/docs/index.html' : layer.route.path;
    for (const method of Object.keys(layer.route.methods))
      routes.push({ method: method.toUpperCase(), pattern });
  }
  return routes;
}

// Arbitrary request parts.
const nasty = fc.constantFrom(
  '',
  ' ',
  '..',
  '%00',
  '\u0000',
  'null',
  'undefined',
  '-1',
  '1e309',
  '9'.repeat(40),
  'x'.repeat(5000),
  '{"$gt":""}',
  "' OR 1=1 --",
  '🙂',
  '2026-02-30T25:61:00Z',
  '00000000-0000-0000-0000-000000000000',
);
const pathValue = fc.oneof(fc.uuid(), fc.string({ maxLength: 80 }), nasty);
const queryValue = fc.oneof(fc.string({ maxLength: 60 }), fc.integer().map(String), nasty);
const queryKey = fc.oneof(
  fc.constantFrom(
    'limit',
    'cursor',
    'after',
    'before',
    'status',
    'since',
    'state',
    'q',
    'page',
    'sort',
    '_format',
  ),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const deep = fc.integer({ min: 50, max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.anything().map((v) => JSON.stringify(v) ?? 'null'),
  fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.jsonValue(), nasty)).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  deep,
  nasty.map((v) => JSON.stringify({ patient: { name: v }, encounterId: v, resourceType: v })),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/fhir+json',
  'application/json; charset=latin1',
  'text/plain',
  'application/hl7-v2',
  'x/y',
  '',
);
const extraHeaders = fc.dictionary(
  fc.constantFrom('accept', 'traceparent', 'x-correlation-id', 'if-match', 'prefer', 'x-forwarded-for'),
  fc.oneof(fc.string({ maxLength: 60 }), nasty).map((v) => v.replace(/[^\t\x20-\x7e]/g, '')),
);

/** The body of an answer; a stream (server-sent events) is ended at once instead. */
async function drain(response: Response): Promise<string> {
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return '';
  }
  return response.text();
}

describe('fuzz: every HTTP route and every event handler of every app', () => {
  let db: TestDatabase;
  let bus: Bus;
  const namespace = uniqueName('fz');
  const services = new Map<ServiceName, ServiceUnderTest>();
  const credentials: [string, Record<string, string>][] = [];

  /** Row counts of an app's schema (bookkeeping tables left out). */
  async function rowCounts(name: ServiceName, skip = BOOKKEEPING): Promise<Record<string, number>> {
    const schema = services.get(name)!.schema;
    const tables = (
      await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
        [schema],
      )
    )
      .map((t) => t.table_name)
      .filter((t) => !skip.has(t) && !t.includes('migrations'))
      .sort();
    const [row] = await db.query<Record<string, string>>(
      `SELECT ${tables.map((t, i) => `(SELECT count(*) FROM "${schema}"."${t}") AS c${i}`).join(', ')}`,
    );
    return Object.fromEntries(tables.map((t, i) => [t, Number(row[`c${i}`])]));
  }

  beforeAll(async () => {
    db = await testDatabase();
    for (const [name, register, database] of SPECS) {
      services.set(name, await startService({ register, database, namespace }));
    }
    for (const service of services.values()) {
      await upsertApiKeys(
        (sql, values) => db.query(sql, values),
        service.schema,
        ORG_KINDS.map((kind) => ({
          organisationId: orgId(kind),
          organisationKind: kind,
          organisationName: orgId(kind),
          divisionCode: '610902',
          apiKey: orgKey(kind),
        })),
      );
    }
    await db.query(
      `INSERT INTO "${services.get('hospital-intake')!.schema}".hospital
         (id, name, level, county_division_code, kind, on_call_name, on_call_phone)
       VALUES ($1, $1, 'secondary', '610902', 'psychiatric', '总值班', '0915-0000000')`,
      [orgId('hospital')],
    );
    credentials.push(['ops-admin', await opsHeaders('ops-admin')], ['auditor', await opsHeaders('auditor')]);
    for (const kind of ORG_KINDS) credentials.push([kind, { 'x-api-key': orgKey(kind) }]);
    // A coordinator's staff session (cookie + CSRF token) where the app has staff accounts.
    for (const [app, kind] of [
      ['rehab-site', 'site'],
      ['hospital-intake', 'hospital'],
    ] as const) {
      const url = services.get(app)!.url;
      const username = `fz-${kind}-coordinator`;
      await createStaffAccount(url, orgKey(kind), {
        username,
        role: 'coordinator',
        password: 'fuzz password 12',
      });
      const person = await signIn(url, username, 'fuzz password 12');
      credentials.push([`${kind} staff`, { cookie: person.cookie, 'x-csrf-token': person.csrfToken }]);
    }
    bus = await Bus.connect(SHARED_NATS_URL, namespace);
  });

  afterAll(async () => {
    await bus?.close();
    await closeServices(services.values(), namespace, db);
  });

  /** A path for the route: own organisation ids where the pattern names one, else `value`. */
  const pathOf = (pattern: string, value: (param: string) => string) =>
    pattern.replace(/:(\w+)/g, (_, p: string) => encodeURIComponent(value(p)));
  const ownId = (param: string) =>
    ({
      siteId: orgId('site'),
      providerId: orgId('employment-provider'),
      hospitalId: orgId('hospital'),
    })[param] ?? randomUUID();

  it.each(SPECS.map(([name]) => name))(
    '%s: arbitrary params, queries, headers and bodies on every route → no 5xx, nothing stored when refused',
    async (name) => {
      const service = services.get(name)!;
      const routes = routesOf(service.app);
      expect(routes.length).toBeGreaterThan(0);
      // Each route with the first credential it accepts (public routes: none).
      const targets: { route: Route; headers: Record<string, string> }[] = [];
      for (const route of routes) {
        let chosen: Record<string, string> | undefined;
        for (const [, headers] of [['anonymous', {}] as [string, Record<string, string>], ...credentials]) {
          const probe = await fetch(`${service.url}${pathOf(route.pattern, ownId)}`, {
            method: route.method,
            headers,
          });
          await drain(probe);
          if (probe.status !== 401 && probe.status !== 403) {
            chosen = headers;
            break;
          }
        }
        expect({ route, credential: chosen ? 'found' : 'none' }).toEqual({ route, credential: 'found' });
        targets.push({ route, headers: chosen! });
      }
      const failures: string[] = [];
      const cases = fc.record({
        target: fc.constantFrom(...targets),
        params: fc.dictionary(
          fc.constantFrom('id', 'siteId', 'providerId', 'referralId', 'caseId'),
          pathValue,
        ),
        ownParams: fc.boolean(),
        query: fc.array(fc.tuple(queryKey, queryValue), { maxLength: 4 }),
        body,
        contentType,
        headers: extraHeaders,
      });
      try {
        await fc.assert(
          fc.asyncProperty(cases, async (c) => {
            const path = pathOf(c.target.route.pattern, (p) =>
              c.ownParams ? ownId(p) : (c.params[p] ?? randomUUID()),
            );
            const query = new URLSearchParams(c.query).toString();
            const before = await rowCounts(name);
            const hasBody = c.body !== undefined && !['GET', 'HEAD'].includes(c.target.route.method);
            const response = await fetch(`${service.url}${path}${query ? `?${query}` : ''}`, {
              method: c.target.route.method,
              headers: {
                ...c.headers,
                ...c.target.headers,
                ...(hasBody && c.contentType ? { 'content-type': c.contentType } : {}),
              },
              body: hasBody ? c.body : undefined,
            });
            const text = await drain(response);
            const label = `${c.target.route.method} ${path}${query ? `?${query}` : ''} → ${response.status}`;
            if (response.status >= 500) {
              failures.push(`${label}: ${text.slice(0, 300)}`);
              return false;
            }
            if (response.status >= 400) {
              const after = await rowCounts(name);
              const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
              if (changed.length > 0) {
                failures.push(
                  `${label}: rows changed in ${changed.map((t) => `${t} ${before[t]}→${after[t]}`).join(', ')}`,
                );
                return false;
              }
            }
            return true;
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
      } catch (error) {
        throw new Error(
          `fuzz of ${name} failed (replay with FUZZ_SEED=${SEED}): ${failures.join('\n')}\n${String(error)}`,
        );
      }
    },
  );

  it('should dead-letter garbage on every consumed subject, store nothing else and keep every app live', async () => {
    const names = SPECS.map(([name]) => name);
    const before = Object.fromEntries(
      await Promise.all(names.map(async (n) => [n, await rowCounts(n, EVENT_BOOKKEEPING)] as const)),
    );
    const expected = new Map<ServiceName, string[]>();
    const definitions = consumedEvents(names);
    expect(definitions.length).toBeGreaterThan(0);
    for (const definition of definitions) {
      for (const message of fuzzMessages(definition, 1, SEED)) {
        const msgId = randomUUID();
        await bus.publishRaw(definition.subject, message.body, msgId);
        for (const consumer of consumersOf(definition.subject, names)) {
          expected.set(consumer.service, [...(expected.get(consumer.service) ?? []), msgId]);
        }
      }
    }
    const missing: string[] = [];
    for (const [name, msgIds] of expected) {
      const schema = services.get(name)!.schema;
      const found = () =>
        db
          .query<{ consumer: string; n: string }>(
            `SELECT consumer, count(*) AS n FROM "${schema}".dead_letter
              WHERE headers->>'Nats-Msg-Id' = ANY($1) GROUP BY consumer`,
            [msgIds],
          )
          .then((rows) => rows.reduce((n, r) => n + Number(r.n), 0));
      await waitFor(async () => (await found()) >= msgIds.length, {
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(async () => missing.push(`${name}: ${await found()} of ${msgIds.length} dead letters`));
    }
    expect({ seed: SEED, missing }).toEqual({ seed: SEED, missing: [] });
    for (const name of names) {
      expect({ name, counts: await rowCounts(name, EVENT_BOOKKEEPING) }).toEqual({
        name,
        counts: before[name],
      });
      expect((await fetch(`${services.get(name)!.url}/health/live`)).status).toBe(200);
    }
  }, 300_000);
});
