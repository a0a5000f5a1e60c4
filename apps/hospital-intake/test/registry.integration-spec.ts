import { Client } from 'pg';
import { opsHeaders, TEST_DATABASE_URL } from '@app/testing';
import { DEMO_HOSPITALS, seedHospitals } from '../src/hospitals/demo-hospitals';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

describe('hospital-intake: hospital registry, demo seed and OpenAPI', () => {
  let w: HospitalIntakeHarness;
  let client: Client;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
    client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await w?.close();
  });

  const get = async (path: string, key?: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${w.service.url}${path}`, {
      headers: { ...(key ? { 'x-api-key': key } : {}), ...headers },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('should seed the demo hospitals once, keep only key hashes, and let each printed key authenticate', async () => {
    const query = (sql: string, params: unknown[]) => client.query(sql, params);
    const first = await seedHospitals(query, w.service.schema, DEMO_HOSPITALS);
    const second = await seedHospitals(query, w.service.schema, DEMO_HOSPITALS);

    expect(first.map((k) => k.hospitalId)).toEqual(DEMO_HOSPITALS.map((h) => h.id));
    expect(second).toEqual([]);
    const keys = await w.db.query<{ prefix: string; key_sha256: Buffer }>(
      `SELECT prefix, key_sha256 FROM "${w.service.schema}".api_key WHERE organisation_id = ANY($1)`,
      [DEMO_HOSPITALS.map((h) => h.id)],
    );
    expect(keys).toHaveLength(DEMO_HOSPITALS.length);
    for (const { key_sha256 } of keys) expect(key_sha256).toHaveLength(32);
    const stored = JSON.stringify(await w.db.query(`SELECT * FROM "${w.service.schema}".api_key`));
    for (const { apiKey } of first) {
      expect(apiKey).toMatch(/^rbk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      expect(stored).not.toContain(apiKey.slice(13));
    }

    const me = await get('/v1/hospitals/me', first[0].apiKey);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: 'ak-mental-health-centre',
      kind: 'psychiatric',
      countyDivisionCode: '610902',
      onCall: { phone: '0915-3212120' },
    });
    expect((await get('/v1/hospitals/me')).status).toBe(401);
  });

  it('should refuse a hospital without an on-call contact, or with one that is not an object (400)', async () => {
    const admin = await opsHeaders('ops-admin');
    const send = async (method: 'POST' | 'PATCH', path: string, body: object) => {
      const response = await fetch(`${w.service.url}${path}`, {
        method,
        headers: { ...admin, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { code?: string; errors?: { pointer?: string }[] };
      return {
        status: response.status,
        code: answer.code,
        pointers: [...new Set(answer.errors?.map((e) => e.pointer))],
      };
    };
    const hospital = {
      id: 'test-registry-oncall',
      name: '测试医院',
      level: 'secondary',
      countyDivisionCode: '610902',
      kind: 'general',
    };
    for (const onCall of [undefined, null, [], [[]], 'x']) {
      expect(await send('POST', '/v1/admin/hospitals', { ...hospital, onCall })).toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        pointers: ['#/onCall'],
      });
    }
    expect(await w.count('hospital', 'id = $1', [hospital.id])).toBe(0);
    for (const onCall of [[], [[]], 'x']) {
      expect(await send('PATCH', `/v1/admin/hospitals/${w.hospitalA}`, { onCall })).toMatchObject({
        status: 400,
      });
    }
  });

  it('should document every intake endpoint at /docs-json (ops users and hospitals, issue 20)', async () => {
    expect((await get('/docs-json')).status).toBe(401);
    expect((await get('/docs-json', w.keyA)).status).toBe(200);
    const doc = (await get('/docs-json', undefined, await opsHeaders('ops-viewer'))).body as {
      paths: Record<string, unknown>;
    };

    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/discharges',
        '/v1/fhir/Bundle',
        '/v1/hl7/v2',
        '/v1/referrals/{id}',
        '/v1/hospitals/me',
      ]),
    );
  });
});
