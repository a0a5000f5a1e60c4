/**
 * The raw baseline of `npm run bench` (issue 8): the hops of the referral path written directly with `pg` and
 * `@nats-io/jetstream` — no framework, no ORM, no batching — as three OS processes like the apps:
 *
 *   intake        HTTP POST /discharges → one transaction (referral row + outbox row) → 201, then publish
 *                 `referral.assessed` (await the JetStream ack) and mark the outbox row sent;
 *   registration  durable pull consumer of `referral.assessed` → one transaction (inbox row + registration
 *                 row + outbox row) → ack, then publish `referral.registered` and mark it sent;
 *   rehab         durable pull consumer of `referral.registered` → one transaction (inbox row, candidate
 *                 sites of the residence, conditional place reservation, assignment row, outbox row) → ack,
 *                 then publish `referral.assigned` and mark it sent.
 *
 * Each message is its own transaction, publish and mark (per message, like the chain the issue describes);
 * consumers handle up to 16 messages at once with a pool of 10 connections, the apps' defaults. Subjects are
 * `<namespace>.referral.*` with CloudEvents-like JSON bodies (`subject` = referral id), so the bench stamps
 * them exactly as it stamps the apps' events.
 *
 *   node dist/scripts/bench/raw-baseline.js intake|registration|rehab   (env: RAW_DATABASE_URL, RAW_SCHEMA,
 *   RAW_NATS_URL, RAW_NAMESPACE, RAW_HTTP_PORT) — started by RawBaseline (baseline-runner.ts). Imports only
 *   pg and NATS, so the processes carry no more than the hops need.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { jetstream, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { Pool, PoolClient } from 'pg';

export type RawRole = 'intake' | 'registration' | 'rehab';
export const RAW_ROLES: readonly RawRole[] = ['intake', 'registration', 'rehab'];

const CONCURRENCY = 16;
const POOL_SIZE = 10;

export interface RawSite {
  id: string;
  level: 'community-station' | 'street-site' | 'county-centre';
  areaCode: string;
}

/** The stream, subjects and durables of a baseline namespace. */
export function rawTopology(namespace: string) {
  return {
    stream: `${namespace}_RAWREF`,
    subjects: {
      assessed: `${namespace}.referral.assessed`,
      registered: `${namespace}.referral.registered`,
      assigned: `${namespace}.referral.assigned`,
    },
    durables: { registration: `${namespace}_raw_registration`, rehab: `${namespace}_raw_rehab` },
  };
}

/** Residence code → the division codes a site may serve it from: committee, township, county. */
export function areaCodesOf(residence: string): string[] {
  return [residence, residence.slice(0, 9), residence.slice(0, 6)].filter(
    (c, i, all) => all.indexOf(c) === i,
  );
}

function envelope(type: string, referralId: string, data: object): { id: string; body: string } {
  const id = randomUUID();
  return {
    id,
    body: JSON.stringify({
      specversion: '1.0',
      id,
      source: 'raw-baseline',
      type,
      subject: referralId,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
    }),
  };
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Publishes one committed outbox row and marks it sent after the ack; a failure leaves it for the sweep. */
async function relay(
  js: JetStreamClient,
  pool: Pool,
  schema: string,
  row: { id: string; subject: string; body: string },
): Promise<void> {
  await js.publish(row.subject, row.body, { msgID: row.id, timeout: 5000 });
  await pool.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE id = $1`, [row.id]);
}

/** Rows whose publish failed are retried once a second (the "polling" half of an outbox relay). */
function startSweep(js: JetStreamClient, pool: Pool, schema: string): NodeJS.Timeout {
  return setInterval(() => {
    void (async () => {
      const { rows } = await pool.query<{ id: string; subject: string; body: string }>(
        `SELECT id, subject, payload AS body FROM "${schema}".outbox
          WHERE published_at IS NULL AND created_at < now() - interval '5 seconds' ORDER BY created_at LIMIT 100`,
      );
      for (const row of rows) await relay(js, pool, schema, row);
    })().catch(() => undefined);
  }, 1000);
}

function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new Error('too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

interface DischargeBody {
  encounterId?: unknown;
  patient?: { residenceDivisionCode?: unknown };
  assessment?: { riskLevel?: unknown; rehabNeeds?: unknown };
}

async function runIntake(ctx: RoleContext): Promise<() => Promise<void>> {
  const { pool, js, schema, topology } = ctx;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/health') return send(res, 200, { status: 'ok' });
    if (req.method !== 'POST' || req.url !== '/v1/discharges') return send(res, 404, { code: 'NOT_FOUND' });
    let body: DischargeBody;
    try {
      body = JSON.parse(await readBody(req)) as DischargeBody;
    } catch {
      return send(res, 400, { code: 'VALIDATION_FAILED' });
    }
    const encounterId = body.encounterId;
    const residence = body.patient?.residenceDivisionCode;
    if (typeof encounterId !== 'string' || typeof residence !== 'string' || !/^\d{12}$/.test(residence)) {
      return send(res, 400, { code: 'VALIDATION_FAILED' });
    }
    const referralId = randomUUID();
    const event = envelope('referral.assessed', referralId, {
      referralId,
      residenceDivisionCode: residence,
      riskLevel: body.assessment?.riskLevel ?? 1,
      rehabNeeds: body.assessment?.rehabNeeds ?? [],
    });
    const created = await inTransaction(pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO "${schema}".referral (id, encounter_id, body) VALUES ($1, $2, $3)
         ON CONFLICT (encounter_id) DO NOTHING RETURNING id`,
        [referralId, encounterId, body],
      );
      if (inserted.rowCount === 0) return false;
      await client.query(`INSERT INTO "${schema}".outbox (id, subject, payload) VALUES ($1, $2, $3)`, [
        event.id,
        topology.subjects.assessed,
        event.body,
      ]);
      return true;
    });
    if (!created) return send(res, 200, { encounterId, created: false });
    send(res, 201, { referralId, encounterId, created: true });
    await relay(js, pool, schema, { id: event.id, subject: topology.subjects.assessed, body: event.body });
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { code: 'INTERNAL', detail: String(error) });
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(ctx.httpPort, '127.0.0.1', resolve));
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

interface AssessedEvent {
  id: string;
  subject: string;
  data: { referralId: string; residenceDivisionCode: string; riskLevel: number; rehabNeeds: string[] };
}

async function consume(
  ctx: RoleContext,
  durable: string,
  effect: (
    client: PoolClient,
    event: AssessedEvent,
  ) => Promise<{ id: string; subject: string; body: string }>,
): Promise<() => Promise<void>> {
  const { js, pool, schema } = ctx;
  const consumer = await js.consumers.get(ctx.topology.stream, durable);
  const messages = await consumer.consume({ max_messages: CONCURRENCY * 2, expires: 5000 });
  let inFlight = 0;
  let failures = 0;
  let freed: (() => void) | undefined;
  const handle = async (message: JsMsg) => {
    const event = message.json<AssessedEvent>();
    const next = await inTransaction(pool, async (client) => {
      const fresh = await client.query(
        `INSERT INTO "${schema}".inbox (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id`,
        [event.id],
      );
      if (fresh.rowCount === 0) return undefined;
      const row = await effect(client, event);
      await client.query(`INSERT INTO "${schema}".outbox (id, subject, payload) VALUES ($1, $2, $3)`, [
        row.id,
        row.subject,
        row.body,
      ]);
      return row;
    });
    message.ack();
    if (next) await relay(js, pool, schema, next);
  };
  const loop = (async () => {
    for await (const message of messages) {
      while (inFlight >= CONCURRENCY) await new Promise<void>((resolve) => (freed = resolve));
      inFlight++;
      void handle(message)
        .catch((error: unknown) => {
          if (++failures <= 5) process.stderr.write(`raw consumer: ${(error as Error).message}\n`);
          message.nak(1000);
        })
        .finally(() => {
          inFlight--;
          freed?.();
          freed = undefined;
        });
    }
  })();
  return async () => {
    await messages.close();
    await loop;
  };
}

async function runRegistration(ctx: RoleContext): Promise<() => Promise<void>> {
  const { schema, topology } = ctx;
  return consume(ctx, topology.durables.registration, async (client, event) => {
    const registrationId = randomUUID();
    await client.query(
      `INSERT INTO "${schema}".registration (id, referral_id, residence_division_code, needs, risk_level)
       VALUES ($1, $2, $3, $4, $5)`,
      [
        registrationId,
        event.data.referralId,
        event.data.residenceDivisionCode,
        JSON.stringify(event.data.rehabNeeds),
        event.data.riskLevel,
      ],
    );
    const next = envelope('referral.registered', event.data.referralId, { ...event.data, registrationId });
    return { id: next.id, subject: topology.subjects.registered, body: next.body };
  });
}

async function runRehab(ctx: RoleContext): Promise<() => Promise<void>> {
  const { schema, topology } = ctx;
  return consume(ctx, topology.durables.rehab, async (client, event) => {
    const { referralId, residenceDivisionCode } = event.data;
    const candidates = await client.query<{ id: string }>(
      `SELECT s.id FROM "${schema}".site s JOIN "${schema}".site_area a ON a.site_id = s.id
        WHERE a.division_code = ANY($1) AND s.reserved < s.capacity
        ORDER BY s.level_rank, s.capacity - s.reserved DESC, s.id LIMIT 8`,
      [areaCodesOf(residenceDivisionCode)],
    );
    let siteId: string | undefined;
    for (const { id } of candidates.rows) {
      const reserved = await client.query(
        `UPDATE "${schema}".site SET reserved = reserved + 1 WHERE id = $1 AND reserved < capacity`,
        [id],
      );
      if (reserved.rowCount === 1) {
        siteId = id;
        break;
      }
    }
    await client.query(
      `INSERT INTO "${schema}".assignment (referral_id, site_id, assigned_at) VALUES ($1, $2, now())`,
      [referralId, siteId ?? null],
    );
    const next = envelope('referral.assigned', referralId, { referralId, siteId: siteId ?? null });
    return { id: next.id, subject: topology.subjects.assigned, body: next.body };
  });
}

interface RoleContext {
  pool: Pool;
  nc: NatsConnection;
  js: JetStreamClient;
  schema: string;
  httpPort: number;
  topology: ReturnType<typeof rawTopology>;
}

/** Child-process entry: runs one role until SIGTERM. */
async function runRole(role: RawRole): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is required`);
    return value;
  };
  const pool = new Pool({ connectionString: env('RAW_DATABASE_URL'), max: POOL_SIZE });
  const nc = await connect({ servers: env('RAW_NATS_URL').split(',') });
  const ctx: RoleContext = {
    pool,
    nc,
    js: jetstream(nc),
    schema: `${env('RAW_SCHEMA')}_${role}`,
    httpPort: Number(process.env.RAW_HTTP_PORT ?? 0),
    topology: rawTopology(env('RAW_NAMESPACE')),
  };
  const sweep = startSweep(ctx.js, pool, ctx.schema);
  const stop =
    role === 'intake'
      ? await runIntake(ctx)
      : role === 'registration'
        ? await runRegistration(ctx)
        : await runRehab(ctx);
  process.stdout.write('raw-baseline ready\n');
  const shutdown = async () => {
    clearInterval(sweep);
    await stop().catch(() => undefined);
    await nc.drain().catch(() => undefined);
    await pool.end().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

if (require.main === module) {
  const role = process.argv[2] as RawRole;
  if (!RAW_ROLES.includes(role)) {
    process.stderr.write(`usage: raw-baseline.js ${RAW_ROLES.join('|')}\n`);
    process.exit(2);
  }
  runRole(role).catch((error: unknown) => {
    process.stderr.write(`raw ${role} failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
