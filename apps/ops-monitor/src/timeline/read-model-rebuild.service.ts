import { Injectable, Logger } from '@nestjs/common';
import { StreamKey } from '@app/contracts';
import { AuditTrail } from '@app/audit';
import { DomainException } from '@app/core';
import { decodeEnvelope, NatsConnectionService } from '@app/messaging';
import { systemActor, TransactionHost } from '@app/persistence';
import { IndicatorFact, indicatorFactOf } from '../indicators/indicator-facts';
import { IndicatorRepository } from '../indicators/indicator.repository';
import { projectEvent, TimelineEntry } from './timeline-projection';
import { TimelineRepository } from './timeline.repository';

/** The streams the timeline is built from. */
export const TIMELINE_STREAMS: readonly StreamKey[] = ['REFERRAL', 'GREEN', 'EMPLOYMENT'];

const FETCH_BATCH = 500;

export interface RebuildReport {
  /** Messages read from the streams (up to each stream's last sequence when the rebuild started). */
  readonly messagesRead: number;
  /** Messages that were not timeline events about a referral, or could not be decoded. */
  readonly skipped: number;
  readonly referrals: number;
  readonly differences: {
    readonly missingInRebuild: number;
    readonly missingInLive: number;
    readonly differentTimelineRows: number;
    readonly differentSummaries: number;
  };
  /** The rebuild equals the live model (as far as the live model had got when the rebuild started). */
  readonly matchesLive: boolean;
  readonly replaced: boolean;
}

/**
 * Rebuilds the read model from the streams: an ordered consumer replays each stream from its first message to
 * the last one present when the rebuild started, through the same projection the live consumers use, into the
 * rebuild tables; then compares with the live model and, when asked, makes the rebuild live. One rebuild at a
 * time across replicas (a transaction-scoped advisory lock); the whole rebuild is one audited transaction.
 */
@Injectable()
export class ReadModelRebuildService {
  private readonly logger = new Logger(ReadModelRebuildService.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly timeline: TimelineRepository,
    private readonly indicatorFacts: IndicatorRepository,
    private readonly nats: NatsConnectionService,
    private readonly audit: AuditTrail,
  ) {}

  rebuild(replace: boolean, userId: string): Promise<RebuildReport> {
    return this.audit.audited(
      systemActor('read-model-rebuild', userId),
      {
        type: 'rest',
        subtype: replace ? 'rebuild-and-replace' : 'rebuild',
        action: 'E',
        entityType: 'read-model',
        entityId: 'timeline',
        purposeOfUse: 'HOPERAT',
      },
      async () => {
        const [{ locked }] = await this.tx.manager.query<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
          [`${this.tx.schema}.read-model-rebuild`],
        );
        if (!locked) {
          throw new DomainException('REBUILD_IN_PROGRESS', 'conflict', 'Another rebuild is running');
        }
        const [{ now }] = await this.tx.manager.query<{ now: Date }[]>(`SELECT clock_timestamp() AS now`);
        await this.timeline.clearRebuild();
        let messagesRead = 0;
        let skipped = 0;
        for (const stream of TIMELINE_STREAMS) {
          const counts = await this.replay(stream);
          messagesRead += counts.read;
          skipped += counts.skipped;
        }
        await this.timeline.refreshSummaries(undefined, 'rebuild');
        const differences = await this.timeline.compareWithRebuild(now);
        const [{ referrals }] = await this.tx.manager.query<{ referrals: string }[]>(
          `SELECT count(*) AS referrals FROM ${this.tx.schema}.referral_summary_rebuild`,
        );
        const matchesLive =
          differences.missingInRebuild === 0 &&
          differences.differentTimelineRows === 0 &&
          differences.differentSummaries === 0;
        if (replace) await this.timeline.replaceLiveWithRebuild();
        this.logger.log(
          `rebuilt the read model from ${messagesRead} messages: ${referrals} referrals, ` +
            `${matchesLive ? 'equal to' : 'different from'} the live model${replace ? '; now live' : ''}`,
        );
        return {
          messagesRead,
          skipped,
          referrals: Number(referrals),
          differences,
          matchesLive,
          replaced: replace,
        };
      },
    );
  }

  /** Reads one stream from its start to its last message now, into the rebuild tables. */
  private async replay(key: StreamKey): Promise<{ read: number; skipped: number }> {
    const { js, jsm } = await this.nats.ready();
    const stream = this.nats.topology.streamName(key);
    const info = await jsm.streams.info(stream);
    const last = info.state.last_seq;
    if (info.state.messages === 0) return { read: 0, skipped: 0 };
    const consumer = await js.consumers.get(stream);
    let read = 0;
    let skipped = 0;
    let seq = 0;
    while (seq < last) {
      const entries: TimelineEntry[] = [];
      const facts: IndicatorFact[] = [];
      const messages = await consumer.fetch({ max_messages: FETCH_BATCH, expires: 2000 });
      let got = 0;
      for await (const message of messages) {
        got++;
        seq = message.seq;
        if (seq > last) break;
        read++;
        const registrySubject = this.nats.topology.registrySubject(message.subject) ?? message.subject;
        let entry: TimelineEntry | undefined;
        try {
          const { envelope } = decodeEnvelope(message.string(), registrySubject);
          entry = projectEvent(envelope);
          const fact = indicatorFactOf(envelope);
          if (fact) facts.push(fact);
        } catch {
          entry = undefined;
        }
        if (entry) entries.push(entry);
        else skipped++;
        if (seq >= last) break;
      }
      await this.timeline.appendEntries(entries, 'rebuild');
      // Indicator facts are kept once (live): a replay adds the ones missing (e.g. events before the feature).
      for (const fact of facts) await this.indicatorFacts.recordFact(fact);
      if (got === 0) break;
    }
    return { read, skipped };
  }
}
