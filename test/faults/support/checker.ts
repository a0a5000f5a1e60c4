import type { ConnectionOptions } from '@nats-io/nats-core';
import { Client } from 'pg';
import { CONSUMERS, ConsumerDefinition, filterMatches, SERVICES, ServiceName } from '@app/contracts';
import { Bus } from './bus';

/** The three apps a referral crosses from discharge to a site, in the order it crosses them. */
export const PIPELINE: readonly ServiceName[] = [
  SERVICES.hospitalIntake,
  SERVICES.registration,
  SERVICES.rehabSite,
];

/** Where the fleet under test keeps its state. */
export interface FleetState {
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly namespace: string;
  /** The private schema of each pipeline app. */
  readonly schemas: Record<string, string>;
  /** How to connect to a secured NATS (the `admin` user: JetStream API and its own inbox). */
  readonly natsOptions?: Partial<ConnectionOptions>;
}

/** What one scenario sent and what it is allowed to find. */
export interface CheckScope {
  /** Encounter ids of every discharge sent (acknowledged or not). */
  readonly encounterIds: readonly string[];
  /** Referral ids hospital-intake acknowledged with a 2xx. */
  readonly acknowledged: readonly string[];
  /** Nats-Msg-Ids of injected poison messages: exactly these may be (and must be) dead-lettered. */
  readonly poisonMsgIds?: ReadonlyMap<string, number>;
  /** Nats-Msg-Ids of deliberately injected copies: not counted as duplicates on the bus. */
  readonly injectedMsgIds?: ReadonlySet<string>;
  /** The routing hop every referral must end on (1 unless a fault re-routes them). */
  readonly expectedHop?: number;
}

export interface Verdict {
  readonly sent: number;
  readonly acknowledged: number;
  readonly delivered: number;
  /** acknowledged − delivered-to-a-site */
  readonly lost: number;
  /** stored or delivered although never acknowledged (allowed only for discharges that never got an answer) */
  readonly unacknowledgedStored: number;
  /** referrals with an effect applied twice (a second application, registration, site referral, event or place) */
  readonly duplicated: number;
  readonly duplicateDetails: string[];
  /** final state of every acknowledged referral across the three apps → count */
  readonly finalStates: Record<string, number>;
  readonly unexpectedStates: number;
  /** unsent outbox rows per app */
  readonly unpublished: Record<string, number>;
  readonly deadLetters: {
    readonly expected: number;
    readonly found: number;
    readonly unexpected: string[];
    readonly missing: string[];
  };
  /** events on the stream a consumer that reads them has no inbox row for (never processed) */
  readonly unprocessed: string[];
  readonly backlog: Record<string, { pending: number; ackPending: number; redelivered: number }>;
  readonly drainMs: number;
}

const ROUTED = 'routed: registered, assigned to a site, hospital sees the site';

async function count(c: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await c.query<{ count: string }>(sql, params);
  return Number(rows[0].count);
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * The one checker every fault scenario uses (Jepsen style: a known set of unique referrals, then
 * lost = acknowledged − delivered, duplicates, final states, outbox, dead letters), after draining.
 */
export class Checker {
  constructor(private readonly fleet: FleetState) {}

  private s(service: ServiceName): string {
    return `"${this.fleet.schemas[service]}"`;
  }

  /**
   * Waits (up to `timeoutMs`) until every acknowledged referral sits at a site, the hospital sees it, every
   * outbox is empty and no consumer has pending or unacknowledged messages; then checks. A timeout is not an
   * error here: the verdict shows what is missing and the scenario's assertions fail on it.
   */
  async drainAndCheck(scope: CheckScope, timeoutMs = 90_000): Promise<Verdict> {
    const started = Date.now();
    const bus = await Bus.connect(this.fleet.natsUrl, this.fleet.namespace, this.fleet.natsOptions);
    try {
      for (;;) {
        const settled = await this.settled(scope, bus).catch(() => false);
        if (settled || Date.now() - started > timeoutMs) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      return await this.check(scope, bus, Date.now() - started);
    } finally {
      await bus.close();
    }
  }

  /** Checks the current state without waiting for it to settle. */
  async checkNow(scope: CheckScope): Promise<Verdict> {
    const bus = await Bus.connect(this.fleet.natsUrl, this.fleet.namespace, this.fleet.natsOptions);
    try {
      return await this.check(scope, bus, 0);
    } finally {
      await bus.close();
    }
  }

  private async settled(scope: CheckScope, bus: Bus): Promise<boolean> {
    const ids = [...scope.acknowledged];
    const [delivered, seen, unpublished] = await withClient(this.fleet.databaseUrl, async (c) => [
      await count(
        c,
        `SELECT count(*) FROM ${this.s(SERVICES.rehabSite)}.referral
              WHERE referral_id = ANY($1::uuid[]) AND status = 'assigned' AND site_id IS NOT NULL
                AND hop = $2`,
        [ids, scope.expectedHop ?? 1],
      ),
      await count(
        c,
        `SELECT count(*) FROM ${this.s(SERVICES.hospitalIntake)}.referral
              WHERE id = ANY($1::uuid[]) AND assigned_site_name IS NOT NULL`,
        [ids],
      ),
      await this.unpublishedTotal(c),
    ]);
    if (delivered < ids.length || seen < ids.length || unpublished > 0) return false;
    const backlog = await bus.consumerBacklog(PIPELINE);
    return Object.values(backlog).every((b) => b.pending === 0 && b.ackPending === 0);
  }

  private async unpublishedTotal(c: Client): Promise<number> {
    let total = 0;
    for (const service of PIPELINE) {
      total += await count(
        c,
        `SELECT count(*) FROM ${this.s(service)}.outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
      );
    }
    return total;
  }

  private async check(scope: CheckScope, bus: Bus, drainMs: number): Promise<Verdict> {
    const acked = new Set(scope.acknowledged);
    const ids = [...acked];
    const encounters = [...scope.encounterIds];
    const intake = this.s(SERVICES.hospitalIntake);
    const registration = this.s(SERVICES.registration);
    const rehab = this.s(SERVICES.rehabSite);

    return withClient(this.fleet.databaseUrl, async (c) => {
      const duplicateDetails: string[] = [];
      const duplicatedReferrals = new Set<string>();
      let otherDuplicates = 0;
      const dup = (referralId: string, what: string) => {
        duplicatedReferrals.add(referralId);
        if (duplicateDetails.length < 20) duplicateDetails.push(`${referralId}: ${what}`);
      };
      const dupOther = (what: string) => {
        otherDuplicates++;
        if (duplicateDetails.length < 20) duplicateDetails.push(what);
      };

      // Every referral the intake stored for the encounters we sent (a retried post must not make a second one).
      const stored = (
        await c.query<{
          id: string;
          encounter_id: string;
          status: string;
          assigned_site_name: string | null;
        }>(
          `SELECT id, encounter_id, status, assigned_site_name FROM ${intake}.referral WHERE encounter_id = ANY($1)`,
          [encounters],
        )
      ).rows;
      const perEncounter = new Map<string, number>();
      for (const r of stored) perEncounter.set(r.encounter_id, (perEncounter.get(r.encounter_id) ?? 0) + 1);
      for (const r of stored)
        if ((perEncounter.get(r.encounter_id) ?? 0) > 1) dup(r.id, 'two intake referrals for one encounter');
      const unacknowledgedStored = stored.filter((r) => !acked.has(r.id)).length;
      const storedIds = stored.map((r) => r.id);

      const applications = (
        await c.query<{ id: string; registration_id: string; status: string }>(
          `SELECT id, registration_id, status FROM ${registration}.application WHERE id = ANY($1::uuid[])`,
          [storedIds],
        )
      ).rows;
      const registrationOwners = new Map<string, string[]>();
      for (const a of applications)
        registrationOwners.set(a.registration_id, [
          ...(registrationOwners.get(a.registration_id) ?? []),
          a.id,
        ]);
      // Every generated patient is a distinct person: two referrals sharing a registration is a doubled effect.
      for (const [registrationId, owners] of registrationOwners) {
        if (owners.length > 1) for (const o of owners) dup(o, `shares registration ${registrationId}`);
      }
      const patients = (
        await c.query<{ patient_id: string; n: string }>(
          `SELECT patient_id, count(*) AS n FROM ${registration}.registration WHERE id = ANY($1::uuid[]) GROUP BY 1 HAVING count(*) > 1`,
          [[...registrationOwners.keys()]],
        )
      ).rows;
      for (const p of patients) dupOther(`patient ${p.patient_id}: ${p.n} registrations`);

      const sited = (
        await c.query<{
          referral_id: string;
          status: string;
          site_id: string | null;
          hop: number;
          needs_manual_placement: boolean;
        }>(
          `SELECT referral_id, status, site_id, hop, needs_manual_placement FROM ${rehab}.referral WHERE referral_id = ANY($1::uuid[])`,
          [storedIds],
        )
      ).rows;
      const siteOf = new Map(sited.map((r) => [r.referral_id, r]));
      const expectedHop = scope.expectedHop ?? 1;
      const delivered = ids.filter((id) => {
        const r = siteOf.get(id);
        return r?.status === 'assigned' && r.site_id !== null;
      }).length;

      // Effects recorded as events: one per (type, referral, hop, alert code) in every app's outbox; a hospital's
      // timeline step (one event type for every step) once per (step, the event that caused it).
      for (const service of PIPELINE) {
        const rows = (
          await c.query<{ event_type: string; subject: string; hop: string; n: string }>(
            `SELECT event_type, payload::jsonb->>'subject' AS subject,
                    coalesce(payload::jsonb->'data'->>'hop', '') || coalesce(' ' || (payload::jsonb->'data'->>'code'), '')
                      || coalesce(' step ' || (payload::jsonb->'data'->>'step') || ' caused by ' || (payload::jsonb->>'causationid'), '') AS hop,
                    count(*) AS n
               FROM ${this.s(service)}.outbox
              WHERE payload::jsonb->>'subject' = ANY($1)
              GROUP BY 1, 2, 3 HAVING count(*) > 1`,
            [storedIds],
          )
        ).rows;
        for (const r of rows)
          dup(r.subject, `${service} wrote ${r.event_type}${r.hop ? ` hop ${r.hop}` : ''} ${r.n} times`);
      }
      // A place reserved twice (or never released) shows as reserved ≠ the referrals holding a place there.
      const places = (
        await c.query<{ id: string; reserved: number; holding: string }>(
          `SELECT s.id, s.reserved, count(r.referral_id) AS holding
             FROM ${rehab}.site s LEFT JOIN ${rehab}.referral r ON r.site_id = s.id AND r.holds_place
            GROUP BY s.id, s.reserved HAVING s.reserved <> count(r.referral_id)`,
        )
      ).rows;
      for (const p of places) dupOther(`site ${p.id}: reserved ${p.reserved}, held by ${p.holding}`);

      // The bus itself: one message per Nats-Msg-Id and one per (type, referral, hop), injected copies aside.
      const referralStream = await bus.readStream('REFERRAL');
      const byMsgId = new Map<string, number>();
      const byEffect = new Map<string, number>();
      const mine = new Set(storedIds);
      for (const m of referralStream) {
        if (scope.injectedMsgIds?.has(m.msgId) || scope.poisonMsgIds?.has(m.msgId)) continue;
        const subject = m.event?.subject;
        if (!subject || !mine.has(subject)) continue;
        byMsgId.set(m.msgId, (byMsgId.get(m.msgId) ?? 0) + 1);
        const hop = m.event?.data?.hop;
        const key = `${m.event?.type}|${subject}|${typeof hop === 'number' ? hop : ''}`;
        byEffect.set(key, (byEffect.get(key) ?? 0) + 1);
      }
      for (const [key, n] of byEffect) {
        if (n > 1) {
          const [type, subject, hop] = key.split('|');
          dup(subject, `${n} × ${type}${hop ? ` hop ${hop}` : ''} on the REFERRAL stream`);
        }
      }
      for (const [msgId, n] of byMsgId) if (n > 1) dupOther(`Nats-Msg-Id ${msgId} stored ${n} times`);

      // Every event of these referrals on the stream was processed (inbox row) by each durable that reads it; a
      // service's own events come back to it only through a whole-stream durable, which acks them unhandled.
      const unprocessed: string[] = [];
      for (const service of PIPELINE) {
        const readers = Object.values<ConsumerDefinition>(CONSUMERS).filter(
          (c) => c.service === service && c.stream === 'REFERRAL',
        );
        const wanted = referralStream.filter(
          (m) =>
            mine.has(m.event?.subject ?? '') &&
            m.event?.source !== `/${service}` &&
            !scope.injectedMsgIds?.has(m.msgId) &&
            !scope.poisonMsgIds?.has(m.msgId) &&
            typeof m.event?.id === 'string',
        );
        const inbox = new Set(
          (
            await c.query<{ consumer: string; event_id: string }>(
              `SELECT consumer, event_id FROM ${this.s(service)}.inbox WHERE event_id = ANY($1)`,
              [wanted.map((m) => m.event!.id!)],
            )
          ).rows.map((r) => `${r.consumer}|${r.event_id}`),
        );
        for (const m of wanted) {
          for (const reader of readers.filter((r) => filterMatches(r.filterSubject, m.subject))) {
            if (!inbox.has(`${bus.topology.durable(reader)}|${m.event!.id!}`)) {
              unprocessed.push(`${reader.durable} never processed ${m.subject} ${m.event!.id!}`);
            }
          }
        }
      }

      // Final states.
      const appOf = new Map(applications.map((a) => [a.id, a]));
      const storedOf = new Map(stored.map((r) => [r.id, r]));
      const finalStates: Record<string, number> = {};
      let unexpectedStates = 0;
      for (const id of ids) {
        const i = storedOf.get(id);
        const a = appOf.get(id);
        const r = siteOf.get(id);
        const routed =
          i?.status === 'registered' &&
          i.assigned_site_name !== null &&
          a?.status === 'registered' &&
          r?.status === 'assigned' &&
          r.site_id !== null &&
          r.hop === expectedHop;
        let label: string;
        if (routed) label = r.needs_manual_placement ? `${ROUTED} (county centre, manual placement)` : ROUTED;
        else {
          label = `intake=${i?.status ?? 'none'}/registration=${a?.status ?? 'none'}/rehab=${r?.status ?? 'none'}@hop${r?.hop ?? '-'}`;
          unexpectedStates++;
        }
        finalStates[label] = (finalStates[label] ?? 0) + 1;
      }

      const unpublished: Record<string, number> = {};
      for (const service of PIPELINE) {
        unpublished[service] = await count(
          c,
          `SELECT count(*) FROM ${this.s(service)}.outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
        );
      }

      // Dead letters: exactly the injected poison, each once per consumer that reads its subject.
      const expected = new Map(scope.poisonMsgIds ?? []);
      const found = new Map<string, number>();
      const unexpected: string[] = [];
      let total = 0;
      for (const service of PIPELINE) {
        const rows = (
          await c.query<{
            consumer: string;
            msg_id: string | null;
            error_code: string;
            error_message: string;
          }>(
            `SELECT consumer, headers->>'Nats-Msg-Id' AS msg_id, error_code, error_message FROM ${this.s(service)}.dead_letter`,
          )
        ).rows;
        for (const row of rows) {
          total++;
          if (row.msg_id && expected.has(row.msg_id)) found.set(row.msg_id, (found.get(row.msg_id) ?? 0) + 1);
          else
            unexpected.push(
              `${row.consumer}: ${row.msg_id ?? '(no id)'} ${row.error_code} ${row.error_message.slice(0, 120)}`,
            );
        }
      }
      const missing = [...expected]
        .filter(([msgId, n]) => (found.get(msgId) ?? 0) !== n)
        .map(([msgId, n]) => `${msgId}: expected ${n} dead letters, found ${found.get(msgId) ?? 0}`);

      return {
        sent: encounters.length,
        acknowledged: ids.length,
        delivered,
        lost: ids.length - delivered,
        unacknowledgedStored,
        duplicated: duplicatedReferrals.size + otherDuplicates,
        duplicateDetails,
        finalStates,
        unexpectedStates,
        unpublished,
        deadLetters: {
          expected: [...expected.values()].reduce((a, b) => a + b, 0),
          found: total,
          unexpected,
          missing,
        },
        unprocessed,
        backlog: await bus.consumerBacklog(PIPELINE),
        drainMs,
      };
    });
  }
}

/** Every way a verdict can fail, in words (an empty list is a pass). */
export function problemsOf(v: Verdict, options: { allowUnacknowledged?: boolean } = {}): string[] {
  const problems: string[] = [];
  if (v.acknowledged !== v.sent)
    problems.push(`${v.sent - v.acknowledged} of ${v.sent} discharges never acknowledged`);
  if (v.lost !== 0)
    problems.push(`lost ${v.lost} (acknowledged ${v.acknowledged}, delivered ${v.delivered})`);
  if (v.duplicated !== 0) problems.push(`duplicated ${v.duplicated}: ${v.duplicateDetails.join('; ')}`);
  if (v.unexpectedStates !== 0)
    problems.push(
      `${v.unexpectedStates} referrals not in the expected final state: ${JSON.stringify(v.finalStates)}`,
    );
  if (!options.allowUnacknowledged && v.unacknowledgedStored !== 0)
    problems.push(`${v.unacknowledgedStored} stored without acknowledgement`);
  for (const [service, n] of Object.entries(v.unpublished))
    if (n !== 0) problems.push(`${service}: ${n} outbox rows never published`);
  if (v.deadLetters.unexpected.length > 0)
    problems.push(`unexpected dead letters: ${v.deadLetters.unexpected.join('; ')}`);
  if (v.deadLetters.missing.length > 0)
    problems.push(`poison not dead-lettered as expected: ${v.deadLetters.missing.join('; ')}`);
  if (v.unprocessed.length > 0)
    problems.push(`${v.unprocessed.length} events never processed: ${v.unprocessed.slice(0, 10).join('; ')}`);
  for (const [durable, b] of Object.entries(v.backlog)) {
    if (b.pending !== 0 || b.ackPending !== 0)
      problems.push(`${durable}: ${b.pending} pending, ${b.ackPending} unacknowledged`);
  }
  return problems;
}
