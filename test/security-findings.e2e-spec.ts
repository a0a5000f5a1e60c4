import { request as httpRequest } from 'node:http';
import { randomUUID } from 'node:crypto';
import { OrganisationKind, upsertApiKeys } from '@app/auth';
import { DatabaseDefinition } from '@app/persistence';
import { ServiceOverrides } from '@app/platform';
import {
  closeServices,
  fhirSchemaProblem,
  opsHeaders,
  ServiceUnderTest,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { discharge, fhirBundle } from '@apps/hospital-intake/test/fixtures';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { person } from '@apps/registration/test/harness';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

/**
 * Issue 14's HTTP findings, one named test each (security, second round): what a probe found against a
 * started stack, asserted against the services booted in-process.
 */

type AppName = 'hospital-intake' | 'registration' | 'rehab-site';

const tag = randomUUID().slice(0, 6);
const orgKey = () => `test_${randomUUID()}${randomUUID()}`.replace(/-/g, '');
const ORGS: Record<string, { id: string; kind: OrganisationKind; key: string }> = {
  hospital: { id: `h-sec-${tag}`, kind: 'hospital', key: orgKey() },
  site: { id: `site-sec-${tag}`, kind: 'site', key: orgKey() },
  familyPortal: { id: `fam-sec-${tag}`, kind: 'family-portal', key: orgKey() },
  countyCentre: { id: `cc-sec-${tag}`, kind: 'county-centre', key: orgKey() },
};

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = { code?: string; errors?: { pointer: string }[] }>(): T;
}

describe('security findings (issue 14)', () => {
  let db: TestDatabase;
  const services = new Map<AppName, ServiceUnderTest>();
  const namespace = uniqueName('sec');
  let ops: Record<string, string>;

  const SPECS: [
    AppName,
    (o: ServiceOverrides) => ReturnType<typeof IntakeModule.register>,
    DatabaseDefinition,
  ][] = [
    ['hospital-intake', (o) => IntakeModule.register(o), INTAKE_DB],
    ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
    ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
  ];

  /** Raw HTTP (fetch refuses a body on GET and normalises paths). */
  function send(
    app: AppName,
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: unknown; contentType?: string } = {},
  ): Promise<Answer> {
    const url = new URL(services.get(app)!.url);
    const payload =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method,
          path,
          headers: {
            ...options.headers,
            ...(payload !== undefined
              ? {
                  'content-type': options.contentType ?? 'application/json',
                  'content-length': Buffer.byteLength(payload),
                }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            // Every answer on a FHIR path is checked against the official FHIR R4 JSON schema.
            const problem =
              app === 'hospital-intake' && /^\/fhir(\/|$|\?)/.test(path) && fhirSchemaProblem(text);
            if (problem) {
              reject(new Error(`${method} ${path} → ${res.statusCode}: ${problem}`));
              return;
            }
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: <T>() => JSON.parse(text) as T,
            });
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
  const as = (org: keyof typeof ORGS) => ({ 'x-api-key': ORGS[org].key });

  beforeAll(async () => {
    db = await testDatabase();
    for (const [name, register, database] of SPECS) {
      services.set(name, await startService({ register, database, namespace }));
    }
    ops = await opsHeaders('ops-viewer');
    for (const service of services.values()) {
      await upsertApiKeys(
        (sql, values) => db.query(sql, values),
        service.schema,
        Object.values(ORGS).map((o) => ({
          organisationId: o.id,
          organisationKind: o.kind,
          organisationName: o.id,
          divisionCode: '610902',
          apiKey: o.key,
        })),
      );
    }
    await db.query(
      `INSERT INTO "${services.get('hospital-intake')!.schema}".hospital
         (id, name, level, county_division_code, kind, on_call_name, on_call_phone)
       VALUES ($1, $1, 'secondary', '610902', 'psychiatric', '总值班', '0915-0000000')`,
      [ORGS.hospital.id],
    );
    for (const name of services.keys()) {
      await waitFor(async () => (await send(name, 'GET', '/health/ready', { headers: ops })).status === 200, {
        message: `${name} ready`,
      });
    }
  });

  afterAll(async () => {
    await closeServices(services.values(), namespace, db);
  });

  // -------------------------------------------------------------------------------------------------------
  it('finding 1: should ask for an ops JWT on every case, slash and encoding variant of the OpenAPI paths', async () => {
    const variants = [
      '/docs-json',
      '/DOCS-JSON',
      '/Docs-Json',
      '/docs-json/',
      '/DOCS-JSON/',
      '/%64ocs-json',
      '/%44OCS-JSON',
      '/docs-yaml',
      '/DOCS-YAML',
      '/docs',
      '/Docs',
      '/DOCS/',
      '/Docs/index.html',
      '/docs/',
      '//docs-json',
    ];
    const leaks: string[] = [];
    for (const path of variants) {
      const anonymous = await send('hospital-intake', 'GET', path);
      if (anonymous.status !== 401 || /openapi|swagger/i.test(anonymous.text))
        leaks.push(`${path}: ${anonymous.status}`);
    }
    expect(leaks).toEqual([]);
    // Ops users still read it, in any case the router accepts.
    expect((await send('hospital-intake', 'GET', '/docs-json', { headers: ops })).status).toBe(200);
    expect((await send('hospital-intake', 'GET', '/DOCS-JSON', { headers: ops })).status).toBe(200);
    // An API key together with a JWT is refused here as everywhere else (README: both → 401).
    for (const path of ['/docs-json', '/DOCS-JSON', '/docs']) {
      const both = await send('hospital-intake', 'GET', path, { headers: { ...ops, ...as('hospital') } });
      expect({ path, status: both.status }).toEqual({ path, status: 401 });
    }
  });

  // -------------------------------------------------------------------------------------------------------
  it('finding 2: should refuse to rotate a key in its grace period, and mint one key from concurrent rotations', async () => {
    const app: AppName = 'registration';
    const admin = await opsHeaders('ops-admin');
    const issued = await send(app, 'POST', '/v1/admin/api-keys', {
      headers: admin,
      body: {
        organisationId: `fam-rot-${tag}`,
        organisationKind: 'family-portal',
        organisationName: 'rotation probe',
        divisionCode: '610902',
      },
    });
    expect(issued.status).toBe(201);
    const first = issued.json<{ apiKey: string }>().apiKey;
    const rotate = (key: string) =>
      send(app, 'POST', '/v1/auth/api-key/rotation', { headers: { 'x-api-key': key } });

    const rotated = await rotate(first);
    expect(rotated.status).toBe(201);
    const second = rotated.json<{ apiKey: string }>().apiKey;
    // The superseded key still authenticates (grace) but cannot mint another key.
    const again = await rotate(first);
    expect(again.status).toBe(409);
    expect(again.json().code).toBe('API_KEY_ALREADY_ROTATED');
    expect(again.headers['content-type']).toContain('application/problem+json');

    // Concurrent rotations of one live key: exactly one new key.
    const racing = await Promise.all(Array.from({ length: 5 }, () => rotate(second)));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const schema = `"${services.get(app)!.schema}"`;
    // Every key of the organisation but the newest expires: nothing minted from a superseded key lives forever.
    const rows = await db.query<{ expires_at: Date | null }>(
      `SELECT expires_at FROM ${schema}.api_key WHERE organisation_id = $1 AND revoked_at IS NULL`,
      [`fam-rot-${tag}`],
    );
    expect(rows.filter((r) => r.expires_at === null)).toHaveLength(1);
    expect(rows).toHaveLength(3);
  });

  // -------------------------------------------------------------------------------------------------------
  it('finding 3: should refuse a discharge or an application without a required nested object (400)', async () => {
    const { patient: _patient, ...noPatient } = discharge();
    const { assessment: _assessment, ...noAssessment } = discharge();
    for (const [body, pointer] of [
      [noPatient, '#/patient'],
      [{ ...discharge(), assessment: 'stable' }, '#/assessment'],
      [{ ...discharge(), patient: null }, '#/patient'],
    ] as const) {
      const answer = await send('hospital-intake', 'POST', '/v1/discharges', {
        headers: as('hospital'),
        body,
      });
      expect({ pointer, status: answer.status }).toEqual({ pointer, status: 400 });
      expect(answer.json().errors?.map((e) => e.pointer)).toContain(pointer);
    }
    // Without an assessment the discharge is kept, awaiting it (issue 19), never refused.
    const awaiting = await send('hospital-intake', 'POST', '/v1/discharges', {
      headers: as('hospital'),
      body: noAssessment,
    });
    expect(awaiting.status).toBe(202);
    expect(awaiting.json<{ status: string }>().status).toBe('awaiting-assessment');
    const application = await send('registration', 'POST', '/v1/applications', {
      headers: as('familyPortal'),
      body: { channel: 'family', needs: ['day-care'], consents: [] },
    });
    expect(application.status).toBe(400);
    expect(application.json().errors?.map((e) => e.pointer)).toContain('#/patient');
  });

  // -------------------------------------------------------------------------------------------------------
  it('finding 4: should refuse NUL characters in bodies, query strings and path parameters (400 NUL_CHARACTER)', async () => {
    const nul = 'a\u0000b';
    const base = discharge();
    const cases: [AppName, string, string, { headers: Record<string, string>; body?: unknown }][] = [
      [
        'hospital-intake',
        'POST',
        '/v1/discharges',
        { headers: as('hospital'), body: { ...base, patient: { ...(base.patient as object), name: nul } } },
      ],
      [
        'hospital-intake',
        'POST',
        '/v1/discharges',
        { headers: as('hospital'), body: { ...base, encounterId: nul } },
      ],
      [
        'registration',
        'POST',
        '/v1/applications',
        {
          headers: as('familyPortal'),
          body: {
            channel: 'family',
            patient: person({ address: `汉滨区${nul}` }),
            needs: ['day-care'],
            consents: [],
          },
        },
      ],
      [
        'hospital-intake',
        'POST',
        '/v1/fhir/Bundle',
        { headers: as('hospital'), body: { ...fhirBundle(), id: nul } },
      ],
      ['hospital-intake', 'GET', `/v1/referrals/${randomUUID()}%00`, { headers: as('hospital') }],
      ['hospital-intake', 'GET', '/v1/audit-events?entityId=a%00b', { headers: await opsHeaders('auditor') }],
      [
        'registration',
        'GET',
        '/v1/applications/assessment-requests?limit=1%00',
        { headers: as('countyCentre') },
      ],
      ['rehab-site', 'GET', `/v1/admin/sites/x%00y`, { headers: ops }],
      ['rehab-site', 'GET', `/v1/admin/sites?after=x%00y`, { headers: ops }],
    ];
    const wrong: string[] = [];
    for (const [app, method, path, options] of cases) {
      const answer = await send(app, method, path, options);
      const code = answer.text.includes('NUL_CHARACTER') ? 'NUL_CHARACTER' : answer.text.slice(0, 120);
      if (answer.status !== 400 || code !== 'NUL_CHARACTER')
        wrong.push(`${method} ${path}: ${answer.status} ${code}`);
    }
    expect(wrong).toEqual([]);
  });

  it('finding 4: should refuse JSON nested deeper than 32 levels before reading it (400 JSON_TOO_DEEP)', async () => {
    const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
    const base = discharge();
    const cases: [AppName, string, Record<string, string>, string][] = [
      [
        'hospital-intake',
        '/v1/discharges',
        as('hospital'),
        JSON.stringify({ ...base, patient: '@' }).replace('"@"', deep(5000)),
      ],
      [
        'hospital-intake',
        '/v1/fhir/Bundle',
        as('hospital'),
        JSON.stringify({ ...fhirBundle(), meta: '@' }).replace('"@"', deep(5000)),
      ],
      [
        'registration',
        '/v1/applications',
        as('familyPortal'),
        `{"channel":"family","patient":${deep(5000)}}`,
      ],
      ['hospital-intake', '/v1/discharges', as('hospital'), `[${'['.repeat(40)}${']'.repeat(40)}]`],
    ];
    const wrong: string[] = [];
    for (const [app, path, headers, body] of cases) {
      const answer = await send(app, 'POST', path, { headers, body });
      if (answer.status !== 400 || !answer.text.includes('JSON_TOO_DEEP'))
        wrong.push(`${app} ${path}: ${answer.status} ${answer.text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    // 32 levels are fine (a FHIR Bundle is about 8 deep): refused for what it says, not for its depth.
    const ok = await send('registration', 'POST', '/v1/applications', {
      headers: as('familyPortal'),
      body: `{"channel":"family","patient":{"x":${deep(30)}}}`,
    });
    expect(ok.status).toBe(400);
    expect(ok.text).not.toContain('JSON_TOO_DEEP');
  });

  // -------------------------------------------------------------------------------------------------------
  it('finding 5: should answer 400 for a page size above the documented maximum on every list endpoint', async () => {
    const cases: [AppName, string, Record<string, string>][] = [
      ['registration', '/v1/applications/assessment-requests?limit=201', as('countyCentre')],
      ['registration', '/v1/applications/assessment-requests?limit=0', as('countyCentre')],
      ['registration', '/v1/applications/assessment-requests?limit=ten', as('countyCentre')],
      ['rehab-site', `/v1/sites/${ORGS.site.id}/referrals?limit=101`, as('site')],
      ['rehab-site', '/v1/admin/sites?limit=501', ops],
      ['hospital-intake', '/v1/audit-events?limit=201', await opsHeaders('auditor')],
      ['hospital-intake', '/v1/admin/api-keys?limit=201', ops],
      ['hospital-intake', '/v1/admin/dead-letters?limit=501', ops],
    ];
    const wrong: string[] = [];
    for (const [app, path, headers] of cases) {
      const answer = await send(app, 'GET', path, { headers });
      if (answer.status !== 400) wrong.push(`${app} ${path}: ${answer.status}`);
    }
    expect(wrong).toEqual([]);
    // At the maximum: a page.
    expect(
      (
        await send('registration', 'GET', '/v1/applications/assessment-requests?limit=200', {
          headers: as('countyCentre'),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await send('rehab-site', 'GET', `/v1/sites/${ORGS.site.id}/referrals?limit=100`, {
          headers: as('site'),
        })
      ).status,
    ).toBe(200);
  });

  it('finding 5: should refuse a body on a route that takes none (400 BODY_NOT_ALLOWED)', async () => {
    const cases: [AppName, string, string, Record<string, string>][] = [
      ['hospital-intake', 'GET', '/v1/hospitals/me', as('hospital')],
      ['registration', 'POST', '/v1/auth/api-key/rotation', as('familyPortal')],
      ['rehab-site', 'POST', `/v1/sites/${ORGS.site.id}/referrals/${randomUUID()}/accept`, as('site')],
      ['rehab-site', 'GET', '/v1/admin/sites', ops],
    ];
    const wrong: string[] = [];
    for (const [app, method, path, headers] of cases) {
      const answer = await send(app, method, path, { headers, body: { smuggled: true } });
      if (answer.status !== 400 || answer.json().code !== 'BODY_NOT_ALLOWED')
        wrong.push(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 100)}`);
    }
    expect(wrong).toEqual([]);
    // An empty JSON object says nothing: it passes (many clients send {} on every POST).
    const empty = await send(
      'rehab-site',
      'POST',
      `/v1/sites/${ORGS.site.id}/referrals/${randomUUID()}/accept`,
      {
        headers: as('site'),
        body: {},
      },
    );
    expect(empty.status).toBe(404);
    // Without a body they answer as before; the key was not rotated by the refused call.
    expect(
      (await send('hospital-intake', 'GET', '/v1/hospitals/me', { headers: as('hospital') })).status,
    ).toBe(200);
  });

  it('finding 5: should refuse unknown top-level elements of a FHIR Bundle with an OperationOutcome (400)', async () => {
    const answer = await send('hospital-intake', 'POST', '/v1/fhir/Bundle', {
      headers: as('hospital'),
      body: { ...fhirBundle(), smuggled: { note: 'not a Bundle element' } },
      contentType: 'application/fhir+json',
    });
    expect(answer.status).toBe(400);
    expect(answer.json<{ resourceType: string }>().resourceType).toBe('OperationOutcome');
    expect(answer.text).toContain('Bundle.smuggled');
  });

  // -------------------------------------------------------------------------------------------------------
  it('finding 6: should send nosniff, no-framing and no-store on every response of every service', async () => {
    const auditor = await opsHeaders('auditor');
    const cases: [AppName, string, string, Record<string, string>, unknown?][] = [
      ['hospital-intake', 'GET', '/health/live', {}],
      ['hospital-intake', 'GET', '/v1/hospitals/me', as('hospital')],
      ['hospital-intake', 'GET', `/v1/referrals/${randomUUID()}`, as('hospital')],
      ['hospital-intake', 'GET', '/v1/hospitals/me', {}],
      ['hospital-intake', 'GET', '/v1/audit-events', auditor],
      ['hospital-intake', 'POST', '/v1/discharges', as('hospital'), {}],
      ['hospital-intake', 'GET', '/docs-json', ops],
      ['hospital-intake', 'GET', '/no-such-path', {}],
      ['registration', 'GET', `/v1/applications/${randomUUID()}`, as('familyPortal')],
      ['registration', 'GET', `/v1/registrations/${randomUUID()}`, as('familyPortal')],
      ['registration', 'GET', '/v1/applications/assessment-requests', as('countyCentre')],
      ['registration', 'GET', '/v1/audit-events', auditor],
      ['rehab-site', 'GET', `/v1/sites/${ORGS.site.id}/referrals`, as('site')],
      ['rehab-site', 'GET', `/v1/sites/${ORGS.site.id}/referrals/${randomUUID()}`, as('site')],
      ['rehab-site', 'GET', '/metrics', ops],
      ['rehab-site', 'POST', '/v1/admin/sites', ops, '{"broken'],
    ];
    const missing: string[] = [];
    for (const [app, method, path, headers, body] of cases) {
      const answer = await send(app, method, path, { headers, body });
      const h = answer.headers;
      const problems = [
        h['x-content-type-options'] === 'nosniff' ? '' : 'nosniff',
        h['x-frame-options'] === 'DENY' ? '' : 'x-frame-options',
        /frame-ancestors 'none'/.test(String(h['content-security-policy'])) ? '' : 'frame-ancestors',
        /no-store/.test(String(h['cache-control'])) ? '' : 'no-store',
      ].filter(Boolean);
      if (problems.length > 0)
        missing.push(`${app} ${method} ${path} (${answer.status}): ${problems.join(', ')}`);
    }
    expect(missing).toEqual([]);
  });
});
