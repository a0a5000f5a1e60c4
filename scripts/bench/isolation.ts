import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { CLOUDEVENTS_CONTENT_TYPE, CONSUMERS, EVENTS, HEADERS, SERVICES } from '@app/contracts';
import { buildEnvelope, Topology } from '@app/messaging';
import { AppFleet } from '@app/testing/fleet';
import { LatencyRecorder } from './latency';
import { driveRun, EventClock, nowMs, stampFirstSighting } from './load';
import { IsolationResult } from './report';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The services whose durable consumers take `green.relapse-reported` in a fleet of intake, registration, rehab-site. */
const GREEN_CONSUMERS = [SERVICES.registration, SERVICES.hospitalIntake] as const;

/** One published `green.relapse-reported`: its event id, its referral and when it was published. */
interface GreenSample {
  id: string;
  referralId: string;
  at: number;
}

export interface IsolationOptions {
  fleet: AppFleet;
  db: Client;
  clock: EventClock;
  /** Referrals that went through the whole path (a relapse is reported for them). */
  referralIds: string[];
  /** Normal referrals to queue before the GREEN events. */
  queued: number;
  idleSamples: number;
  loadedSamples: number;
  discharge: (i: number) => Record<string, unknown>;
  log: (line: string) => void;
}

/**
 * Priority isolation (issue 8): how long a `green.relapse-reported` event takes from its publish to being
 * handled (the consumer's inbox row committed) by each service that consumes GREEN, first on an idle fleet,
 * then while `queued` normal referrals wait in REFERRAL for registration. The backlog is built the way it
 * happens in life — registration stops (SIGSTOP) while hospital-intake keeps accepting discharges over HTTP —
 * and the GREEN events are published the moment registration comes back. They are published directly to
 * JetStream as rehab-site's relay would (same envelope and headers), so the site-side path is not measured.
 * Issue 15 adds relapse reported → hospital notified: publish → hospital-intake's `green.notified` on the bus,
 * for the same events; behind the backlog hospital-intake also has registration's drained REFERRAL output
 * (referral.registered, referral.assigned) to consume.
 */
export async function measureIsolation(options: IsolationOptions): Promise<IsolationResult> {
  const { fleet, db } = options;
  const topology = new Topology(fleet.namespace);
  const nc = await connect({ servers: fleet.natsUrl.split(',') });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const ids = [...options.referralIds];
  if (ids.length < options.idleSamples + options.loadedSamples) {
    throw new Error(
      `isolation needs ${options.idleSamples + options.loadedSamples} finished referrals, has ${ids.length}`,
    );
  }
  const recorders = new Map(
    GREEN_CONSUMERS.map((s) => [s, { idle: new LatencyRecorder(), loaded: new LatencyRecorder() }]),
  );
  const notified = { idle: new LatencyRecorder(), loaded: new LatencyRecorder() };
  // Issue 15: relapse reported → hospital notified. hospital-intake publishes `green.notified` (with the
  // per-hospital `hospital.<id>.green.offered` notice, same transaction) through its outbox; a core
  // subscription stamps its first sighting per referral (the CloudEvents subject), as EventClock does.
  const notifiedAt = new Map<string, number>();
  stampFirstSighting(nc, topology.subject(EVENTS.greenNotified.subject), notifiedAt);
  await nc.flush();

  const publishGreen = async (referralId: string): Promise<GreenSample> => {
    const envelope = buildEnvelope(
      EVENTS.greenRelapseReported,
      SERVICES.rehabSite,
      { referralId, siteId: 'bench-site', observedRiskLevel: 3, reportedAt: new Date().toISOString() },
      { subject: referralId },
    );
    const h = natsHeaders();
    h.set(HEADERS.eventType, envelope.type);
    h.set(HEADERS.contentType, CLOUDEVENTS_CONTENT_TYPE);
    h.set(HEADERS.correlationId, envelope.correlationid);
    const at = nowMs();
    await js.publish(topology.subject(EVENTS.greenRelapseReported.subject), JSON.stringify(envelope), {
      msgID: envelope.id,
      headers: h,
    });
    return { id: envelope.id, referralId, at };
  };

  /**
   * Polls the GREEN consumers' inbox tables until every event is handled by each, and waits for each
   * referral's `green.notified`; records publish → handled per consumer and publish → notified.
   * `events` may still grow while this runs (events published one by one): polling starts with the first, so
   * no event waits for the ones published after it. Runs until `published()` and nothing is left open.
   */
  const awaitHandled = async (
    events: GreenSample[],
    phase: 'idle' | 'loaded',
    published: () => boolean = () => true,
    timeoutMs = 120_000,
  ) => {
    const open = new Map(GREEN_CONSUMERS.map((s) => [s, new Map<string, number>()]));
    const unnotified = new Map<string, number>();
    let taken = 0;
    const deadline = nowMs() + timeoutMs;
    for (;;) {
      for (; taken < events.length; taken++) {
        for (const waiting of open.values()) waiting.set(events[taken].id, events[taken].at);
        unnotified.set(events[taken].referralId, events[taken].at);
      }
      for (const [referralId, publishedAt] of unnotified) {
        const seen = notifiedAt.get(referralId);
        if (seen === undefined) continue;
        notified[phase].record(seen - publishedAt);
        unnotified.delete(referralId);
      }
      const left = unnotified.size > 0 || [...open.values()].some((m) => m.size > 0);
      if ((!left && published() && taken === events.length) || nowMs() > deadline) break;
      for (const service of GREEN_CONSUMERS) {
        const waiting = open.get(service)!;
        if (waiting.size === 0) continue;
        const { rows } = await db.query<{ event_id: string }>(
          `SELECT event_id FROM "${fleet.app(service).schema}".inbox WHERE event_id = ANY($1)`,
          [[...waiting.keys()]],
        );
        const seen = nowMs();
        for (const { event_id } of rows) {
          recorders.get(service)![phase].record(seen - waiting.get(event_id)!);
          waiting.delete(event_id);
        }
      }
      await sleep(2);
    }
    const missing = [...open.entries()].filter(([, m]) => m.size > 0).map(([s, m]) => `${s}: ${m.size}`);
    if (unnotified.size > 0) missing.push(`${unnotified.size} never reached green.notified`);
    if (missing.length > 0)
      throw new Error(`GREEN events not handled within ${timeoutMs} ms (${missing.join(', ')})`);
  };

  try {
    options.log(`isolation: ${options.idleSamples} GREEN events on an idle fleet`);
    for (let k = 0; k < options.idleSamples; k++) {
      await awaitHandled([await publishGreen(ids.shift()!)], 'idle');
      await sleep(100);
    }

    options.log(`isolation: registration stopped (SIGSTOP); queueing ${options.queued} discharges`);
    const registration = fleet.app(SERVICES.registration);
    registration.pause();
    let backlogAtEnd = 0;
    try {
      await driveRun({
        label: 'isolation backlog',
        system: 'project',
        url: fleet.app(SERVICES.hospitalIntake).url,
        headers: { 'x-api-key': fleet.hospitalKey() },
        rate: 1000,
        count: options.queued,
        maxInFlight: 32,
        body: options.discharge,
        clock: options.clock,
        drainTimeoutMs: 0,
      });
      // Everything accepted is on the stream before registration comes back.
      const intake = `"${fleet.app(SERVICES.hospitalIntake).schema}"`;
      for (let pending = 1; pending > 0; await sleep(200)) {
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${intake}.outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
        );
        pending = rows[0].n;
      }
    } finally {
      registration.resume();
    }
    const durable = topology.durable(CONSUMERS.registrationAssessed);
    const stream = topology.streamName(CONSUMERS.registrationAssessed.stream);
    const backlog = async () => {
      const info = await jsm.consumers.info(stream, durable);
      return info.num_pending + info.num_ack_pending;
    };
    const queuedNow = await backlog();
    options.log(
      `isolation: registration resumed with ${queuedNow} referral events queued; ${options.loadedSamples} GREEN events`,
    );
    const events: GreenSample[] = [];
    let allPublished = false;
    const handled = awaitHandled(events, 'loaded', () => allPublished);
    try {
      for (let k = 0; k < options.loadedSamples; k++) {
        events.push(await publishGreen(ids.shift()!));
        await sleep(100);
      }
    } finally {
      allPublished = true;
    }
    await handled;
    backlogAtEnd = await backlog();
    options.log(`isolation: last GREEN event handled with ${backlogAtEnd} referral events still queued`);
    return {
      queued: queuedNow,
      backlogAtEnd,
      consumers: GREEN_CONSUMERS.map((service) => ({
        service,
        idle: recorders.get(service)!.idle.summary(),
        loaded: recorders.get(service)!.loaded.summary(),
      })),
      notified: { idle: notified.idle.summary(), loaded: notified.loaded.summary() },
    };
  } finally {
    await nc.close();
  }
}
