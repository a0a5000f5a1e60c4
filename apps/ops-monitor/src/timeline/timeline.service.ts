import { Injectable } from '@nestjs/common';
import { EventEnvelope, EVENTS, ReferralSlaBreachedData } from '@app/contracts';
import { DomainException } from '@app/core';
import { systemActor, TransactionHost } from '@app/persistence';
import { AlertsService } from '../alerts/alerts.service';
import { OpsMetrics } from '../metrics/ops-metrics';
import { indicatorFactOf } from '../indicators/indicator-facts';
import { IndicatorRepository } from '../indicators/indicator.repository';
import { STAGES } from './referral-states';
import { projectEvent, TimelineEntry } from './timeline-projection';
import { ReferralSummary, TimelineRepository } from './timeline.repository';

export interface ReferralTimeline {
  readonly summary: ReferralSummary;
  readonly events: TimelineEntry[];
}

const TIMELINE_READER = systemActor('timeline-read');

/** The live read model: each lifecycle event becomes a timeline row and refreshes its referral's summary. */
@Injectable()
export class TimelineService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly timeline: TimelineRepository,
    private readonly indicatorFacts: IndicatorRepository,
    private readonly alerts: AlertsService,
    private readonly metrics: OpsMetrics,
  ) {}

  /** Runs in the consumer's transaction (with its inbox row): a redelivered event changes nothing. */
  async onEvent(event: EventEnvelope): Promise<void> {
    // The statutory indicators' ingredient (idempotent, same transaction).
    const fact = indicatorFactOf(event);
    if (fact) await this.indicatorFacts.recordFact(fact);
    const entry = projectEvent(event);
    if (!entry) return;
    const before = await this.timeline.findSummary(entry.referralId);
    const fresh = await this.timeline.appendEntries([entry]);
    if (!fresh.has(entry.eventId)) return;
    await this.timeline.refreshSummaries([entry.referralId]);
    const after = (await this.timeline.findSummary(entry.referralId))!;
    this.countAfterCommit(before, after, entry);
    if (entry.subject === EVENTS.referralSlaBreached.subject) {
      await this.alerts.onSlaBreached(event as EventEnvelope<ReferralSlaBreachedData>, after.countyCode);
    }
    if (before && before.stateSince.getTime() !== after.stateSince.getTime()) {
      const leftManualPlacement =
        before.state === 'needs-manual-placement' && after.state !== 'needs-manual-placement';
      await this.alerts.onProgress(after.referralId, after.stateSince, leftManualPlacement);
    }
  }

  async timelineOf(referralId: string): Promise<ReferralTimeline> {
    return this.tx.run(async () => {
      const summary = await this.timeline.findSummary(referralId);
      if (!summary) throw new DomainException('REFERRAL_NOT_FOUND', 'not-found', `No referral ${referralId}`);
      return { summary, events: await this.timeline.timelineOf(referralId) };
    }, TIMELINE_READER);
  }

  /**
   * A stage is measured once, when both its milestones are first known (whichever arrives last), by event
   * time; breaches are counted by SLA stage and county. Counted after commit, so a rolled-back batch that is
   * retried does not count twice.
   */
  private countAfterCommit(
    before: ReferralSummary | undefined,
    after: ReferralSummary,
    entry: TimelineEntry,
  ): void {
    const observations: (() => void)[] = [];
    for (const stage of STAGES) {
      const from = after.milestones[stage.from];
      const to = after.milestones[stage.to];
      const known = before?.milestones[stage.from] && before.milestones[stage.to];
      if (from && to && !known) {
        const seconds = (to.getTime() - from.getTime()) / 1000;
        observations.push(() => this.metrics.observeStage(stage, after.countyCode, seconds));
      }
    }
    if (entry.subject === EVENTS.referralSlaBreached.subject) {
      const kind = entry.detail ?? 'unknown';
      observations.push(() => this.metrics.slaBreaches.inc({ kind, county: after.countyCode ?? 'unknown' }));
    }
    if (observations.length > 0) this.tx.afterCommit(() => observations.forEach((observe) => observe()));
  }
}
