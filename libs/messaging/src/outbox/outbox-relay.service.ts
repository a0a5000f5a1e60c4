import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { Client } from 'pg';
import { CLOUDEVENTS_CONTENT_TYPE, eventBySubject, HEADERS, STREAMS } from '@app/contracts';
import { TransactionHost, systemActor } from '@app/persistence';
import { crashpoint } from '../faults';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingMetrics } from '../messaging.metrics';
import { NatsConnectionService } from '../nats-connection.service';
import { NewOutboxRow, OutboxRepository, OutboxRow } from './outbox.repository';

const MAX_ROW_RETRY_MS = 30_000;

/** Handoff workers per process for routine commits, and the most rows one handoff takes. */
const HANDOFF_WORKERS = 2;
const HANDOFF_BATCH = 500;

/** A queue of committed rows waiting for a handoff worker, and the workers taking from it. */
interface HandoffLane {
  queue: NewOutboxRow[];
  readonly workers: Set<Promise<void>>;
  readonly maxWorkers: number;
}

/** A commit that publishes a green-channel event: its rows go out ahead of routine commits' rows. */
function isGreenChannelCommit(rows: readonly NewOutboxRow[]): boolean {
  return rows.some((row) => eventBySubject(row.subject)?.stream === STREAMS.GREEN.name);
}

type PublishableRow = Pick<OutboxRow, 'id' | 'subject' | 'payload' | 'headers' | 'attempts'>;
type FailedRow = { id: string; error: string; retryInMs: number };

/** The NOTIFY channel the outbox trigger signals on commit (see the messaging migration). */
export function outboxChannel(schema: string): string {
  return `outbox_${schema}`;
}

/**
 * Publishes committed outbox rows to JetStream and marks them sent only after the server's ack.
 * Polling is the mechanism; LISTEN/NOTIFY only wakes it early. Several replicas may run: rows are claimed
 * with FOR UPDATE SKIP LOCKED, and only the relay holding a key's oldest unsent row takes the rows behind it,
 * which it publishes in order (OutboxRepository.claimBatch).
 */
@Injectable()
export class OutboxRelayService implements OnApplicationBootstrap {
  private readonly logger = new Logger(OutboxRelayService.name);
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A wake-up (NOTIFY) arrived since the current round started: the next sleep is skipped. */
  private poked = false;
  private listener?: Client;
  private readonly abort = new AbortController();
  /**
   * Rows committed by this process, waiting for a handoff worker (published right after the commit): routine
   * commits on HANDOFF_WORKERS workers, each taking what has queued since its last batch; commits with a
   * green-channel event on a worker of their own, so a relapse never waits behind a referral backlog's rows.
   */
  private readonly routineHandoff: HandoffLane = {
    queue: [],
    workers: new Set(),
    maxWorkers: HANDOFF_WORKERS,
  };
  private readonly greenHandoff: HandoffLane = { queue: [], workers: new Set(), maxWorkers: 1 };
  /** Every handoff worker running, of both lanes. */
  private readonly handoffs = new Set<Promise<void>>();

  constructor(
    private readonly tx: TransactionHost,
    private readonly outbox: OutboxRepository,
    private readonly nats: NatsConnectionService,
    private readonly metrics: MessagingMetrics,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    this.outbox.handOffTo((rows) => this.handOff(rows), this.options.outboxHandoffMs ?? 0);
    void this.listen();
    this.loop = this.run();
  }

  /**
   * Publishes the rows a transaction of this process has just committed, without waiting for a relay round
   * (its wake-up, START, claim): the relays leave them alone while they are held (OutboxRepository.handOffTo).
   * Rows of an ordering key with an earlier unsent row of another transaction are not sent here but released to
   * the relays, which keep the key's order; the rest go out chain by chain, each row after the previous one's ack,
   * as a relay would send them. A failed publish releases the rest of its chain with the row's retry time.
   */
  private handOff(rows: NewOutboxRow[]): void {
    if (rows.length === 0) return;
    const lane = isGreenChannelCommit(rows) ? this.greenHandoff : this.routineHandoff;
    lane.queue.push(...rows);
    if (lane.workers.size >= lane.maxWorkers) return;
    const worker: Promise<void> = this.handOffQueued(lane).finally(() => {
      lane.workers.delete(worker);
      this.handoffs.delete(worker);
    });
    lane.workers.add(worker);
    this.handoffs.add(worker);
  }

  /**
   * Publishes what has queued, batch after batch: at a low rate each commit's rows go alone; when commits come
   * faster than a handoff takes, the rows of those that came meanwhile go together (one read, one mark).
   */
  private async handOffQueued(lane: HandoffLane): Promise<void> {
    while (lane.queue.length > 0) {
      const rows = lane.queue.splice(0, HANDOFF_BATCH);
      try {
        await this.publishHandedOff(rows);
      } catch (error) {
        // The hold ends on its own: a relay sends what is left then.
        this.logger.warn(`outbox handoff: ${(error as Error).message}`);
      }
    }
  }

  private async publishHandedOff(committed: NewOutboxRow[]): Promise<void> {
    const ids = committed.map((r) => r.id);
    const bus = this.running && this.nats.connected ? await this.nats.ready(this.abort.signal) : undefined;
    if (!bus) {
      await this.outbox.releaseHandoff(ids);
      this.poke();
      return;
    }
    // The rows are known (this process wrote them, in order): only where they stand is read.
    const states = new Map((await this.outbox.handoffStates(ids)).map((state) => [state.id, state]));
    const unsent = committed.filter((r) => states.has(r.id));
    const blocked = new Set(unsent.filter((r) => states.get(r.id)!.blocked).map((r) => r.orderingKey));
    const chains = new Map<string, PublishableRow[]>();
    for (const row of unsent) {
      if (blocked.has(row.orderingKey)) continue;
      const chain = chains.get(row.orderingKey) ?? [];
      chain.push({ ...row, attempts: states.get(row.id)!.attempts });
      chains.set(row.orderingKey, chain);
    }
    const released = unsent.filter((r) => blocked.has(r.orderingKey)).map((r) => r.id);
    crashpoint('outbox-before-publish');
    const { published, failed } = await this.publishChains(bus.js, [...chains.values()]);
    crashpoint('outbox-after-publish');
    const manager = this.tx.dataSource.manager;
    const next = await this.outbox.markPublished(manager, published, true);
    await this.outbox.markFailed(manager, failed);
    const tried = new Set([...published.map((p) => p.id), ...failed.map((f) => f.id)]);
    // A chain stops at its first failure: the rows behind it were never tried.
    for (const chain of chains.values())
      released.push(...chain.filter((r) => !tried.has(r.id)).map((r) => r.id));
    await this.outbox.releaseHandoff(released);
    if (next || released.length > 0 || failed.length > 0) this.poke();
    if (failed.length > 0) {
      this.logger.warn(
        `outbox handoff: ${failed.length} of ${unsent.length} not published (${failed[0].error})`,
      );
    }
  }

  /**
   * Publishes each chain's rows one after another (each after the previous one's ack), the chains in parallel; a
   * failure ends its chain.
   */
  private async publishChains(
    js: import('@nats-io/jetstream').JetStreamClient,
    chains: readonly (readonly PublishableRow[])[],
  ): Promise<{ published: { id: string; streamSeq: number }[]; failed: FailedRow[] }> {
    const published: { id: string; streamSeq: number }[] = [];
    const failed: FailedRow[] = [];
    await Promise.all(
      chains.map(async (chain) => {
        for (const row of chain) {
          const type = eventBySubject(row.subject)?.type ?? 'unknown';
          try {
            const ack = await this.publishRow(js, row);
            published.push({ id: row.id, streamSeq: ack.seq });
            this.metrics.published.inc({ event_type: type, outcome: ack.duplicate ? 'duplicate' : 'ack' });
          } catch (error) {
            failed.push({
              id: row.id,
              error: String((error as Error)?.message ?? error),
              retryInMs: Math.min(500 * 2 ** Math.min(row.attempts, 10), MAX_ROW_RETRY_MS),
            });
            this.metrics.published.inc({ event_type: type, outcome: 'error' });
            return;
          }
        }
      }),
    );
    return { published, failed };
  }

  /** Wakes the relay now (used after writes in the same process and by NOTIFY). */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Waits until the handoffs running or queued now (and any started meanwhile) have finished. */
  async settleHandoffs(): Promise<void> {
    while (this.handoffs.size > 0) await Promise.allSettled([...this.handoffs]);
  }

  /**
   * Publishes until nothing is left that can be published now; returns how many the relay published (after the
   * handoffs running now have finished; they are not counted).
   */
  async drain(): Promise<number> {
    await this.settleHandoffs();
    let total = 0;
    for (;;) {
      // Until a round finds nothing: rows committed while a round ran count too (shutdown, tests).
      const { published, claimed } = await this.relayOnce();
      total += published;
      if (claimed === 0 || published === 0) return total;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        await this.nats.ready(this.abort.signal);
        this.poked = false;
        const { claimed, published, more } = await this.relayOnce();
        failures = claimed > 0 && published === 0 ? failures + 1 : 0;
        // A full batch may have more behind it, and a published row may have made the next row of its
        // ordering key publishable (a transaction that wrote several events about one referral): then go again
        // at once instead of leaving those rows to the next NOTIFY or poll. Otherwise nothing committed before
        // this round's claim is left (a row that becomes due later waits for the poll), and a commit since then
        // has notified: an empty round (3 statements) would find nothing.
        if (published > 0 && more) continue;
      } catch (error) {
        if (!this.running) break;
        failures++;
        this.logger.warn(`outbox relay: ${(error as Error).message}`);
      }
      const backoff =
        failures > 0 ? Math.min(250 * 2 ** Math.min(failures, 6), 5000) : this.options.outboxPollIntervalMs;
      await this.sleep(failures > 0 ? backoff : this.options.outboxPollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // A commit notified while the last round ran may not be in what it claimed: go round again.
      if (this.poked) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * One round: claim, publish, mark. Chains (one ordering key's rows) go in parallel, the rows of a chain one
   * after another, each after the previous one's ack; a failure ends its chain (the rest stay unsent, in order).
   * `more`: another round right away may find rows (the batch was full, or a published row has a later row of
   * its ordering key behind it that this round did not publish).
   */
  private async relayOnce(): Promise<{ claimed: number; published: number; more: boolean }> {
    const bus = await this.nats.ready(this.abort.signal);
    return this.tx.runDetached(async (manager) => {
      const limit = this.options.outboxBatchSize;
      const rows = await this.outbox.claimBatch(manager, limit);
      if (rows.length === 0) return { claimed: 0, published: 0, more: false };
      crashpoint('outbox-before-publish');
      const chains = new Map<string, OutboxRow[]>();
      for (const row of rows) chains.set(row.orderingKey, [...(chains.get(row.orderingKey) ?? []), row]);
      const { published, failed } = await this.publishChains(bus.js, [...chains.values()]);
      const done = new Set(published.map((p) => p.id));
      // A full batch, or a chain sent to its end with a later row of its key behind it: go again at once.
      const more =
        rows.length >= limit ||
        [...chains.values()].some(
          (chain) => chain.every((r) => done.has(r.id)) && chain[chain.length - 1].hasNext,
        );
      crashpoint('outbox-after-publish');
      await this.outbox.markPublished(manager, published);
      await this.outbox.markFailed(manager, failed);
      if (failed.length > 0) {
        this.logger.warn(
          `outbox relay: ${failed.length} of ${rows.length} not published (${failed[0].error})`,
        );
      }
      return { claimed: rows.length, published: published.length, more };
    }, systemActor('outbox-relay'));
  }

  private publishRow(js: import('@nats-io/jetstream').JetStreamClient, row: PublishableRow): Promise<PubAck> {
    const h = natsHeaders();
    for (const [key, value] of Object.entries(row.headers ?? {})) h.set(key, value);
    const definition = eventBySubject(row.subject);
    if (definition) h.set(HEADERS.eventType, definition.type);
    h.set(HEADERS.contentType, CLOUDEVENTS_CONTENT_TYPE);
    const stream = definition ? this.nats.topology.streamName(definition.stream) : undefined;
    return js.publish(this.nats.topology.subject(row.subject), row.payload, {
      msgID: row.id,
      headers: h,
      timeout: 5000,
      ...(stream ? { expect: { streamName: stream } } : {}),
    });
  }

  /** LISTEN on the outbox channel with its own connection; reconnects while the service runs. */
  private async listen(): Promise<void> {
    const schema = (this.tx.dataSource.options as { schema?: string }).schema ?? 'public';
    const url = (this.tx.dataSource.options as { url?: string }).url;
    while (this.running) {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      try {
        const closed = new Promise<void>((resolve) => {
          client.on('error', () => resolve());
          client.on('end', () => resolve());
        });
        await client.connect();
        client.on('notification', () => this.poke());
        await client.query(`LISTEN "${outboxChannel(schema)}"`);
        this.listener = client;
        // stop() may have run while this connection was being opened: it only ends the listener it saw.
        if (!this.running) break;
        this.poke();
        await closed;
      } catch {
        // Polling carries on without the wake-up; try again shortly.
      } finally {
        this.listener = undefined;
        await client.end().catch(() => undefined);
      }
      if (this.running) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** Flushes what can be sent within the grace period, then stops. */
  async stop(): Promise<void> {
    if (!this.running) return;
    // Rows committed from now on go through the relay (the drain below, or another replica's).
    this.outbox.stopHandoff();
    await this.settleHandoffs();
    if (this.nats.connected) {
      await Promise.race([
        this.drain().catch((e: Error) => this.logger.warn(`outbox flush on shutdown: ${e.message}`)),
        new Promise((r) => setTimeout(r, this.options.shutdownGraceMs)),
      ]);
    }
    this.running = false;
    this.abort.abort();
    this.poke();
    await this.listener?.end().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }
}
