import { randomUUID } from 'node:crypto';
import { connect as connectTcp, Socket } from 'node:net';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { ApiKeyRepository, ipRateKey, SharedRateLimiter } from '@app/auth';
import { REQUESTS } from '@app/contracts';
import { ManualClock } from '@app/core';
import { Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  SHARED_NATS_URL,
  ServiceUnderTest,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { DATABASE } from '../src/database';
import { MllpDecoder, mllpFrame } from '../src/discharges/mllp/mllp-codec';
import { MllpListener } from '../src/discharges/mllp/mllp-listener';
import { HospitalService } from '../src/hospitals/hospital.service';
import { discharge, idNumberFor } from './fixtures';
import { chineseAdtA03 } from './fixtures/chinese-hl7v2';

const WINDOW_MS = 3_600_000;
const PER_PRINCIPAL = 5;
const PER_IP = 12;
const FACILITY = 'RLTESTFAC';

/** One MLLP connection: sends one message at a time and answers its ACK's MSA-1 code and ERR code. */
async function mllpClient(port: number) {
  const socket: Socket = connectTcp(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const decoder = new MllpDecoder();
  const acks: string[] = [];
  socket.on('data', (chunk: Buffer) => acks.push(...decoder.push(chunk).map(String)));
  return {
    async send(message: string): Promise<{ code: string; text: string }> {
      const before = acks.length;
      socket.write(mllpFrame(message));
      await waitFor(() => acks.length > before, { timeoutMs: 20_000 });
      const text = acks[before];
      const msa = text
        .split('\r')
        .find((s) => s.startsWith('MSA|'))!
        .split('|');
      return { code: msa[1], text };
    },
    close: () => socket.destroy(),
  };
}

/**
 * Shared rate limits (issue #14): two hospital-intake instances on one schema and one bus namespace (replicas)
 * count into the same budgets — per principal across HTTP, NATS and MLLP, per IP before any key is looked up.
 * The instances share a ManualClock; each test starts a fresh window by advancing it one window.
 */
describe('hospital-intake: shared rate limits across replicas, routes and channels', () => {
  // The HL7 fixtures stamp their messages with the real time (a discharge later than the clock is refused), so
  // the clock starts at the real hour, not at a fixed date that the calendar overtakes.
  const clock = new ManualClock(new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000));
  let db: TestDatabase;
  let a: ServiceUnderTest;
  let b: ServiceUnderTest;
  let nc: NatsConnection;
  let key: string;
  let hospitalId: string;

  const start = (schema: string, namespace: string) =>
    startService({
      register: (o) =>
        AppModule.register(
          {
            ...o,
            auth: { rateLimit: PER_PRINCIPAL, ipRateLimit: PER_IP, rateLimitWindowMs: WINDOW_MS },
          },
          { mllp: { port: 0, host: '127.0.0.1', facilities: { [FACILITY]: hospitalId }, maxBytes: 1 << 20 } },
        ),
      database: DATABASE,
      schema,
      namespace,
      clock,
    });

  beforeAll(async () => {
    db = await testDatabase();
    const namespace = uniqueName('rl');
    const schema = uniqueName(`${namespace}_intake`);
    hospitalId = `rl-${randomUUID().slice(0, 8)}`;
    a = await start(schema, namespace);
    b = await start(schema, namespace);
    key = (await a.app.get(HospitalService).register({
      id: hospitalId,
      name: '限流测试医院',
      level: 'secondary',
      countyDivisionCode: '610902',
      kind: 'psychiatric',
      onCall: { name: '总值班', phone: '0915-0000000' },
    }))!;
    nc = await connect({ servers: SHARED_NATS_URL });
  });

  beforeEach(() => clock.advance(WINDOW_MS));

  afterAll(async () => {
    await nc?.close();
    await b?.close();
    await a?.close();
    if (a) await deleteNamespaceStreams(SHARED_NATS_URL, a.namespace);
    if (a) await db.dropSchemas(a.schema);
    await db?.close();
  });

  const get = (app: ServiceUnderTest, h: Record<string, string>) =>
    fetch(`${app.url}/v1/green-cases`, { headers: h });
  const guessKey = () => `test_${randomUUID()}${randomUUID()}`.replace(/-/g, '');
  const referrals = () => db.count(`SELECT count(*) FROM "${a.schema}".referral`);

  it('should enforce one per-principal budget across two app instances and every route (429 problem+json, Retry-After)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_PRINCIPAL; i++) {
      // Alternating replicas and routes: each instance alone has seen fewer requests than the budget.
      const app = i % 2 === 0 ? a : b;
      const path = i % 2 === 0 ? '/v1/green-cases' : `/v1/green-cases/${randomUUID()}`;
      statuses.push((await fetch(`${app.url}${path}`, { headers: { 'x-api-key': key } })).status);
    }
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    for (const app of [a, b]) {
      const refused = await get(app, { 'x-api-key': key });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
      expect(await refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    }
    // The next window has room again.
    clock.advance(WINDOW_MS);
    expect((await get(b, { 'x-api-key': key })).status).toBe(200);
  });

  it('should refuse an IP over its budget before any API key lookup, even with a valid key', async () => {
    const lookups = [a, b].map((app) => jest.spyOn(app.app.get(ApiKeyRepository), 'findUsableByHash'));
    const lookupCount = () => lookups.reduce((n, spy) => n + spy.mock.calls.length, 0);
    try {
      const guesses: number[] = [];
      for (let i = 0; i < PER_IP; i++)
        guesses.push((await get(i % 2 ? a : b, { 'x-api-key': guessKey() })).status);
      expect(guesses).toEqual(Array.from({ length: PER_IP }, () => 401));
      const looked = lookupCount();
      expect(looked).toBe(PER_IP);
      const overBudget = [
        await get(a, { 'x-api-key': guessKey() }),
        await get(b, { 'x-api-key': guessKey() }),
        await get(a, { 'x-api-key': key }),
        await fetch(`${b.url}/docs-json`, { headers: { 'x-api-key': guessKey() } }),
      ];
      expect(overBudget.map((r) => r.status)).toEqual([429, 429, 429, 429]);
      for (const r of overBudget) {
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(lookupCount()).toBe(looked); // no key was looked up for the refused requests
    } finally {
      for (const spy of lookups) spy.mockRestore();
    }
  });

  it('should limit the NATS intake request path by hospital, shared by the replicas of its queue group', async () => {
    const subject = new Topology(a.namespace).subject(REQUESTS.intakeDischargeSubmit.subject);
    const request = async (body: unknown) => {
      const h = natsHeaders();
      h.set('X-API-Key', key);
      const reply = await nc.request(subject, JSON.stringify(body), { timeout: 10_000, headers: h });
      return reply.json<{ ok: boolean; status: number; code?: string; retryAfterSeconds?: number }>();
    };
    const before = await referrals();
    const answers = [];
    for (let i = 0; i < PER_PRINCIPAL; i++) answers.push((await request({ encounterId: 'x' })).status);
    expect(answers).toEqual(Array.from({ length: PER_PRINCIPAL }, () => 400));
    const refused = await request(discharge());
    expect(refused).toMatchObject({ ok: false, status: 429, code: 'RATE_LIMITED' });
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(await referrals()).toBe(before); // the refused discharge was not stored
    // The hospital's budget is one across channels: HTTP is refused too in this window.
    expect((await get(a, { 'x-api-key': key })).status).toBe(429);
  });

  it('should limit the MLLP listener by hospital and by peer IP (AE RATE_LIMITED, nothing stored)', async () => {
    const clients = [
      await mllpClient(a.app.get(MllpListener).port!),
      await mllpClient(b.app.get(MllpListener).port!),
    ];
    try {
      const adt = (i: number, facility = FACILITY) =>
        chineseAdtA03({
          version: '2.5',
          idForm: 'NNCHN',
          encounterId: `RL-${randomUUID().slice(0, 8)}`,
          controlId: `RL${i}`,
          facility,
          idNumber: idNumberFor('1979-06-15', i),
        });
      const before = await referrals();
      const codes: string[] = [];
      // 7 from the hospital: its budget of 5 is shared by both listeners; then the unknown facility's messages
      // (AR, no hospital) still count against the address until it is over budget too.
      for (let i = 0; i < 7; i++) codes.push((await clients[i % 2].send(adt(i))).code);
      expect(codes).toEqual(['AA', 'AA', 'AA', 'AA', 'AA', 'AE', 'AE']);
      expect(await referrals()).toBe(before + PER_PRINCIPAL);
      const byIp: string[] = [];
      for (let i = 7; i < PER_IP + 1; i++) byIp.push((await clients[i % 2].send(adt(i, 'NOTALLOWED'))).code);
      expect(byIp).toEqual([...Array.from({ length: PER_IP - 7 }, () => 'AR'), 'AE']);
      const limited = await clients[0].send(adt(99));
      expect(limited.code).toBe('AE');
      expect(limited.text).toContain('RATE_LIMITED');
      expect(limited.text).toContain('MSA|AE|RL99');
      expect(await referrals()).toBe(before + PER_PRINCIPAL);
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('should measure the cost of one shared rate-limit check', async () => {
    const limiter = a.app.get(SharedRateLimiter);
    const runs = 300;
    const started = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await limiter.consume(ipRateKey(`bench-${i % 10}`), 'ip');
    const perCheckUs = Number(process.hrtime.bigint() - started) / 1000 / runs;
    // Two checks per HTTP request (IP, then principal). Printed for docs/operations.md.
    process.stdout.write(
      `shared rate limit: ${perCheckUs.toFixed(0)} µs per check, ${(2 * perCheckUs).toFixed(0)} µs per request\n`,
    );
    expect(perCheckUs).toBeGreaterThan(0);
  });
});
