import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CONSUMERS, EVENTS, SERVICES } from '@app/contracts';
import { holdsFor, LocalNatsServer, LocalPostgres, waitFor } from '@app/testing';
import { Bus, consumedEvents, consumersOf, StoredMessage } from './support/bus';
import { PIPELINE } from './support/checker';
import { fuzzMessages } from './support/fuzz';
import { clockShiftEnv, FaultWorld } from './support/world';

const HOUR = 3_600_000;
const seconds = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The pipeline apps (hospital-intake → registration → rehab-site) as separate processes on a private
 * nats-server and a private Postgres (so both can be killed), driven with unique referrals while faults are
 * injected. Each scenario drains and runs the one checker; it fails if a single referral is lost or doubled.
 * Registration and rehab-site run with the clock-shift preload so the last scenario can jump their clocks.
 */
describe('faults: pipeline under faults', () => {
  let nats: LocalNatsServer;
  let pg: LocalPostgres;
  let world: FaultWorld;
  let clockDir: string;
  let clockFile: string;

  beforeAll(async () => {
    [nats, pg] = await Promise.all([LocalNatsServer.start(), LocalPostgres.start()]);
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE referral_bus_faults');
    await admin.end();
    clockDir = mkdtempSync(join(tmpdir(), 'faults-clock-'));
    clockFile = join(clockDir, 'offset-ms');
    const clock = clockShiftEnv(clockFile);
    world = await FaultWorld.start({
      natsUrl: nats.url,
      databaseUrl: pg.url('referral_bus_faults'),
      appEnv: {
        [SERVICES.registration]: {
          ...clock,
          REGISTRATION_SWEEP_INTERVAL_MS: '250',
          CONSENT_REMINDER_INTERVAL_HOURS: '24',
          CONSENT_EXPIRY_DAYS: '4',
        },
        [SERVICES.rehabSite]: { ...clock, ESCALATION_SWEEP_INTERVAL_MS: '250' },
      },
    });
  }, 240_000);

  afterAll(async () => {
    await world?.fleet.stop();
    await nats?.stop();
    await pg?.stop();
    if (clockDir) rmSync(clockDir, { recursive: true, force: true });
  });

  it('should lose and double nothing when registration and rehab-site are SIGSTOPped past ack_wait', async () => {
    const startedAt = Date.now();
    const ackWaitS = Math.max(
      CONSUMERS.registrationAssessed.delivery.ackWaitSeconds,
      CONSUMERS.rehabSiteRegistered.delivery.ackWaitSeconds,
    );
    const registration = world.fleet.app(SERVICES.registration);
    const rehab = world.fleet.app(SERVICES.rehabSite);
    const redeliveredBefore =
      (await world.metric(SERVICES.registration, 'referral_event_redeliveries_total')) +
      (await world.metric(SERVICES.rehabSite, 'referral_event_redeliveries_total'));
    const before = await world.stored(SERVICES.rehabSite);
    const load = world.load(60, { concurrency: 3, pacingMs: 150 });
    await waitFor(async () => (await world.stored(SERVICES.rehabSite)) >= before + 10, {
      timeoutMs: 60_000,
      message: 'rehab-site mid-stream',
    });
    registration.pause();
    rehab.pause();
    // The fault itself: frozen (no acks, no heartbeats) for longer than the server waits for an ack.
    await seconds((ackWaitS + 3) * 1000);
    const ackedWhilePaused = load.acknowledgedCount;
    registration.resume();
    rehab.resume();
    const verdict = await world.verify(load, {
      scenario: '2 pause registration+rehab-site',
      fault: `SIGSTOP registration and rehab-site for ack_wait (${ackWaitS} s) + 3 s, then SIGCONT`,
      injected: 2,
      notes: `${ackedWhilePaused} of 60 acknowledged by the end of the pause`,
      startedAt,
    });
    expect(verdict.lost).toBe(0);
    // The pause bit: the server redelivered what the frozen consumers held.
    const redelivered =
      (await world.metric(SERVICES.registration, 'referral_event_redeliveries_total')) +
      (await world.metric(SERVICES.rehabSite, 'referral_event_redeliveries_total'));
    expect(redelivered).toBeGreaterThan(redeliveredBefore);
  });

  it('should lose and double nothing when NATS is killed twice under load and restarted', async () => {
    const startedAt = Date.now();
    const load = world.load(80, { concurrency: 4, pacingMs: 40 });
    let ackedDuringOutage = 0;
    for (const at of [20, 50]) {
      await load.reached(at);
      await nats.kill();
      const ackedAtKill = load.acknowledgedCount;
      await seconds(4000);
      ackedDuringOutage += load.acknowledgedCount - ackedAtKill;
      await nats.restart();
    }
    await world.verify(load, {
      scenario: '3 kill NATS',
      fault: 'SIGKILL nats-server (store dir kept) for 4 s, twice, under load',
      injected: 2,
      notes: `${ackedDuringOutage} discharges acknowledged while NATS was down`,
      startedAt,
    });
    // The outbox keeps intake answering while the broker is down.
    expect(ackedDuringOutage).toBeGreaterThan(0);
  });

  it('should lose and double nothing when Postgres is crashed twice under load and restarted', async () => {
    const startedAt = Date.now();
    const load = world.load(80, { concurrency: 4, pacingMs: 40 });
    for (const at of [20, 50]) {
      await load.reached(at);
      await pg.crash();
      await seconds(3000);
      await pg.restart();
    }
    await world.verify(load, {
      scenario: '4 crash Postgres',
      fault: 'pg_ctl stop -m immediate (crash, WAL replay on start) for 3 s, twice, under load',
      injected: 2,
      startedAt,
    });
  });

  it('should apply one effect when events are re-published with the same and with different ids', async () => {
    const startedAt = Date.now();
    const load = world.load(50, { concurrency: 4, pacingMs: 20 });
    await load.done;
    const ids = new Set(load.acknowledged().slice(0, 15));
    const bus = await Bus.connect(nats.url, world.fleet.namespace);
    const duplicateOutcomes = async () =>
      (await world.metric(SERVICES.registration, 'referral_events_consumed_total', 'outcome="duplicate"')) +
      (await world.metric(SERVICES.rehabSite, 'referral_events_consumed_total', 'outcome="duplicate"'));
    try {
      // Copy assessed and registered events of 15 referrals once they are on the stream.
      let originals: StoredMessage[] = [];
      await waitFor(
        async () => {
          originals = (await bus.readStream('REFERRAL')).filter(
            (m) =>
              ids.has(m.event?.subject ?? '') &&
              (m.subject === EVENTS.referralAssessed.subject ||
                m.subject === EVENTS.referralRegistered.subject),
          );
          return originals.length === 30;
        },
        { timeoutMs: 60_000, intervalMs: 500, message: '30 events to copy' },
      );
      const duplicatesBefore = await duplicateOutcomes();
      let sameIdDropped = 0;
      for (const m of originals) {
        // 1. the same Nats-Msg-Id: the stream's duplicate window drops it.
        const ack = await bus.publishRaw(m.subject, m.body, m.msgId);
        if (ack.duplicate) sameIdDropped++;
        // 2. another Nats-Msg-Id, the same CloudEvent: stored twice, the inbox makes it a no-op.
        const copyId = randomUUID();
        world.injected.add(copyId);
        await bus.publishRaw(m.subject, m.body, copyId);
        // 3. a re-emission: new CloudEvent id and Nats-Msg-Id, the same data: the handlers are idempotent.
        const reemitted = { ...(JSON.parse(m.body) as Record<string, unknown>), id: randomUUID() };
        const reemitId = randomUUID();
        world.injected.add(reemitId);
        await bus.publishRaw(m.subject, JSON.stringify(reemitted), reemitId);
      }
      expect(sameIdDropped).toBe(originals.length);
      const verdict = await world.verify(load, {
        scenario: '5 duplicate publishes',
        fault:
          'assessed + registered events of 15 referrals re-published: same Nats-Msg-Id, new Nats-Msg-Id, new event id',
        injected: originals.length * 3,
        notes: `${sameIdDropped} same-id copies dropped by the stream`,
        startedAt,
      });
      expect(verdict.duplicated).toBe(0);
      // Copies under a new Nats-Msg-Id reached the consumers and were recognised by the inbox:
      // 15 assessed (registration) + 15 registered (rehab-site).
      await waitFor(async () => (await duplicateOutcomes()) - duplicatesBefore >= 30, {
        timeoutMs: 30_000,
        message: 'inbox duplicates counted',
      });
    } finally {
      await bus.close();
    }
  });

  it('should dead-letter exactly the poison messages while the other referrals flow', async () => {
    const startedAt = Date.now();
    const load = world.load(60, { concurrency: 4, pacingMs: 30 });
    await load.reached(15);
    const bus = await Bus.connect(nats.url, world.fleet.namespace);
    let injected = 0;
    try {
      const inject = async (subject: string, body: string) => {
        const msgId = randomUUID();
        const readers = consumersOf(subject, PIPELINE).length;
        world.poison.set(msgId, readers);
        await bus.publishRaw(subject, body, msgId);
        injected++;
      };
      // A real assessed event whose sealed patient does not open: valid on the wire, refused by the handler.
      const assessed = await waitFor(
        async () =>
          (await bus.readStream('REFERRAL')).find((m) => m.subject === EVENTS.referralAssessed.subject),
        { timeoutMs: 30_000, message: 'an assessed event' },
      );
      const sealed = JSON.parse(assessed.body) as {
        id: string;
        subject: string;
        data: { referralId: string; encounterId: string; sealedPatient: { tag: string } };
      };
      sealed.id = randomUUID();
      sealed.subject = sealed.data.referralId = randomUUID();
      sealed.data.encounterId = `POISON-${randomUUID()}`;
      sealed.data.sealedPatient.tag = 'A'.repeat(22);
      // hospital-intake handles its own referral.assessed too (rebuilding a referral a restore lost): both
      // registration and hospital-intake refuse this one.
      await inject(EVENTS.referralAssessed.subject, JSON.stringify(sealed));
      // Schema-invalid data, a broken envelope and a body that is not JSON, on every consumed subject.
      for (const definition of [
        EVENTS.referralAssessed,
        EVENTS.referralRegistered,
        EVENTS.greenRelapseReported,
      ]) {
        const base = { specversion: '1.0', source: '/poison', type: definition.type, subject: randomUUID() };
        const time = new Date().toISOString();
        await inject(
          definition.subject,
          JSON.stringify({
            ...base,
            id: randomUUID(),
            time,
            correlationid: 'c',
            data: { referralId: 'not-a-uuid' },
          }),
        );
        await inject(
          definition.subject,
          JSON.stringify({ ...base, specversion: '0.3', id: randomUUID(), time, data: {} }),
        );
        await inject(definition.subject, '{"this is": not json');
      }
    } finally {
      await bus.close();
    }
    const verdict = await world.verify(load, {
      scenario: '6 poison messages',
      fault: 'invalid events on referral.assessed / referral.registered / green.relapse-reported mid-stream',
      injected,
      notes: `${[...world.poison.values()].reduce((a, b) => a + b, 0)} dead letters expected so far, all found`,
      startedAt,
    });
    expect(verdict.deadLetters.missing).toEqual([]);
  });

  it('should refuse fuzzed events on every consumed subject without crashing or writing a domain row', async () => {
    const startedAt = Date.now();
    const seed = Number(process.env.FAULTS_FUZZ_SEED ?? Date.now() % 1_000_000);
    const pids = Object.fromEntries(PIPELINE.map((s) => [s, world.fleet.app(s).pid]));
    const domainRows = () => countDomainRows(world);
    const rowsBefore = await domainRows();
    const bus = await Bus.connect(nats.url, world.fleet.namespace);
    const fuzzed: string[] = [];
    try {
      for (const definition of consumedEvents(PIPELINE)) {
        for (const message of fuzzMessages(definition, 3, seed)) {
          const msgId = randomUUID();
          world.poison.set(msgId, consumersOf(definition.subject, PIPELINE).length);
          fuzzed.push(msgId);
          await bus.publishRaw(definition.subject, message.body, msgId);
        }
      }
    } finally {
      await bus.close();
    }
    // Every fuzzed message is dead-lettered by every consumer that reads its subject, with a reason.
    const expected = fuzzed.reduce((n, id) => n + world.poison.get(id)!, 0);
    const reasons = await waitFor(
      async () => {
        const rows = await deadLettersFor(world, fuzzed);
        return rows.length >= expected ? rows : undefined;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        message: `${expected} dead letters for ${fuzzed.length} fuzzed messages`,
      },
    );
    expect(reasons.filter((r) => !r.error_code || r.error_message.length < 10)).toEqual([]);
    for (const service of PIPELINE) {
      expect(world.fleet.app(service).pid).toBe(pids[service]);
      expect((await fetch(`${world.fleet.app(service).url}/health/live`)).status).toBe(200);
    }
    expect(await domainRows()).toEqual(rowsBefore);
    // And the pipeline still carries referrals afterwards.
    const load = world.load(20, { concurrency: 4 });
    await world.verify(load, {
      scenario: '7 fuzzed events',
      fault: `fast-check garbage data / garbage envelopes on ${consumedEvents(PIPELINE).length} consumed subjects (seed ${seed}), then 20 referrals`,
      injected: fuzzed.length,
      notes: `${reasons.length} dead letters, none crashed, no domain row`,
      startedAt,
    });
  });

  it('should fire each SLA timer once across forward and backward clock jumps', async () => {
    const startedAt = Date.now();
    const registration = `"${world.fleet.app(SERVICES.registration).schema}"`;
    const rehab = `"${world.fleet.app(SERVICES.rehabSite).schema}"`;
    const routed = world.load(30, { concurrency: 4 });
    const waiting = world.load(10, { concurrency: 2, consent: false });
    await Promise.all([routed.done, waiting.done]);
    const waitingIds = waiting.acknowledged();
    const routedIds = routed.acknowledged();
    await world.checker.drainAndCheck(world.scope(routed));
    const q = async (sql: string, params: unknown[]) => {
      const c = new Client({ connectionString: world.fleet.databaseUrl });
      await c.connect();
      try {
        return Number((await c.query<{ n: string }>(sql, params)).rows[0].n);
      } finally {
        await c.end();
      }
    };
    await waitFor(
      async () =>
        (await q(
          `SELECT count(*) AS n FROM ${registration}.application WHERE id = ANY($1::uuid[]) AND status = 'awaiting-consent'`,
          [waitingIds],
        )) === waitingIds.length,
      { timeoutMs: 60_000, message: '10 awaiting consent' },
    );

    // +73 h: every 72 h answer window has passed (escalate once, re-route); one consent reminder each.
    writeFileSync(clockFile, String(73 * HOUR));
    await waitFor(
      async () =>
        (await q(
          `SELECT count(*) AS n FROM ${rehab}.referral WHERE referral_id = ANY($1::uuid[]) AND hop = 2 AND status = 'assigned'`,
          [routedIds],
        )) === routedIds.length &&
        (await q(
          `SELECT count(DISTINCT application_id) AS n FROM ${registration}.consent_reminder WHERE application_id = ANY($1::uuid[])`,
          [waitingIds],
        )) === waitingIds.length &&
        // every earlier scenario's assignment has been escalated too, so nothing is still due at +5 days
        (await q(`SELECT count(*) AS n FROM ${rehab}.referral WHERE status = 'assigned' AND hop = 1`, [])) ===
          0,
      { timeoutMs: 60_000, intervalMs: 250, message: 'escalated and reminded after +73 h' },
    );
    // +5 days: consent never came (expiry 4 days): each waiting application expires once.
    writeFileSync(clockFile, String(5 * 24 * HOUR));
    await waitFor(
      async () =>
        (await q(
          `SELECT count(*) AS n FROM ${registration}.application WHERE id = ANY($1::uuid[]) AND status = 'expired'`,
          [waitingIds],
        )) === waitingIds.length,
      { timeoutMs: 60_000, intervalMs: 250, message: 'expired after +5 days' },
    );
    // Back to the real time (a 5-day backward jump): no timer fires, nothing is published.
    const outboxRows = async () =>
      (await q(`SELECT count(*) AS n FROM ${registration}.outbox`, [])) +
      (await q(`SELECT count(*) AS n FROM ${rehab}.outbox`, []));
    await seconds(1000);
    writeFileSync(clockFile, '0');
    const rowsAtJump = await outboxRows();
    await holdsFor(async () => (await outboxRows()) === rowsAtJump, 3000, 250);

    // Each timer fired exactly once per referral.
    const once = async (table: string, eventType: string, ids: string[]) =>
      q(
        `SELECT count(*) AS n FROM (SELECT payload::jsonb->>'subject' AS s FROM ${table}.outbox
           WHERE event_type = $1 AND payload::jsonb->>'subject' = ANY($2) GROUP BY 1 HAVING count(*) = 1) x`,
        [eventType, ids],
      );
    expect(await once(rehab, EVENTS.referralEscalated.type, routedIds)).toBe(routedIds.length);
    expect(await once(registration, EVENTS.referralRegistrationExpired.type, waitingIds)).toBe(
      waitingIds.length,
    );
    expect(
      await q(
        `SELECT count(*) AS n FROM ${registration}.consent_reminder WHERE application_id = ANY($1::uuid[])`,
        [waitingIds],
      ),
    ).toBe(waitingIds.length);
    expect(
      await q(
        `SELECT count(*) AS n FROM ${registration}.application WHERE id = ANY($1::uuid[]) AND sla_breached_at IS NOT NULL`,
        [[...waitingIds, ...routedIds]],
      ),
    ).toBe(0);
    await world.verify(
      routed,
      {
        scenario: '8 clock jumps',
        fault: 'registration + rehab-site wall clock +73 h, +5 d, then back to now (clock-shift preload)',
        injected: 3,
        notes: `${routedIds.length} escalated once (hop 2); ${waitingIds.length} without consent reminded once, expired once`,
        startedAt,
      },
      { expectedHop: 2 },
    );
  });
});

/** Rows in every table of the pipeline schemas except the messaging ones (outbox, inbox, dead letters). */
async function countDomainRows(world: FaultWorld): Promise<Record<string, number>> {
  const c = new Client({ connectionString: world.fleet.databaseUrl });
  await c.connect();
  try {
    const out: Record<string, number> = {};
    for (const service of PIPELINE) {
      const schema = world.fleet.app(service).schema;
      const tables = (
        await c.query<{ table_name: string }>(
          `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'
             AND table_name NOT IN ('outbox', 'inbox', 'dead_letter') AND table_name NOT LIKE '%migration%'`,
          [schema],
        )
      ).rows;
      for (const { table_name } of tables) {
        out[`${service}.${table_name}`] = Number(
          (await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}"."${table_name}"`)).rows[0].n,
        );
      }
    }
    return out;
  } finally {
    await c.end();
  }
}

async function deadLettersFor(
  world: FaultWorld,
  msgIds: string[],
): Promise<{ consumer: string; error_code: string; error_message: string }[]> {
  const c = new Client({ connectionString: world.fleet.databaseUrl });
  await c.connect();
  try {
    const rows: { consumer: string; error_code: string; error_message: string }[] = [];
    for (const service of PIPELINE) {
      rows.push(
        ...(
          await c.query<{ consumer: string; error_code: string; error_message: string }>(
            `SELECT consumer, error_code, error_message FROM "${world.fleet.app(service).schema}".dead_letter
              WHERE headers->>'Nats-Msg-Id' = ANY($1)`,
            [msgIds],
          )
        ).rows,
      );
    }
    return rows;
  } finally {
    await c.end();
  }
}
