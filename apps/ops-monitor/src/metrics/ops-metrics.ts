import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register, Registry } from 'prom-client';
import { StageDefinition } from '../timeline/referral-states';

/** Machine stages take milliseconds to seconds. */
export const MACHINE_STAGE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
/** Human stages take minutes to days. */
export const HUMAN_STAGE_BUCKETS = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  HOUR,
  4 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  3 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
];

/** What the gauges read when Prometheus scrapes (the read model and the bus), bound by the running app. */
export interface GaugeSource {
  referralsByState(): Promise<{ state: string; county: string; count: number }[]>;
  stuckByState(): Promise<{ state: string; count: number }[]>;
  openAlerts(): Promise<{ code: string; severity: string; count: number }[]>;
  deadLettersByService(): Promise<{ service: string; count: number }[]>;
  consumerLag(): {
    consumer: string;
    stream: string;
    pending: number;
    ackPending: number;
    redelivered: number;
  }[];
}

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** Where the scrape-time gauges read from: the app that is running (tests boot several in one process). */
let source: GaugeSource | undefined;

/**
 * Ops-monitor's metrics (Prometheus naming, seconds; labels are stages, states, counties, services and durable
 * names, never ids or PII). Latencies and breaches are counted when the read model records them (after commit);
 * referrals by state, stuck referrals, open alerts, dead letters and consumer lag are read at scrape time.
 */
@Injectable()
export class OpsMetrics {
  readonly machineStage: Histogram<'stage' | 'county'>;
  readonly humanStage: Histogram<'stage' | 'county'>;
  readonly slaBreaches: Counter<'kind' | 'county'>;

  constructor() {
    const registry: Registry = register;
    this.machineStage = getOrCreate(
      registry,
      'referral_machine_stage_duration_seconds',
      () =>
        new Histogram({
          name: 'referral_machine_stage_duration_seconds',
          help: 'Event-time latency of the automated stages (discharged→assessed→registered→assigned).',
          labelNames: ['stage', 'county'],
          buckets: MACHINE_STAGE_BUCKETS,
          registers: [registry],
        }),
    );
    this.humanStage = getOrCreate(
      registry,
      'referral_human_stage_duration_seconds',
      () =>
        new Histogram({
          name: 'referral_human_stage_duration_seconds',
          help: 'Event-time latency of the human stages (assigned→accepted, accepted→first service).',
          labelNames: ['stage', 'county'],
          buckets: HUMAN_STAGE_BUCKETS,
          registers: [registry],
        }),
    );
    this.slaBreaches = getOrCreate(
      registry,
      'referral_sla_breaches_total',
      () =>
        new Counter({
          name: 'referral_sla_breaches_total',
          help: 'Statutory deadlines breached (referral.sla-breached), by kind (SLA stage) and county.',
          labelNames: ['kind', 'county'],
          registers: [registry],
        }),
    );
    this.scrapeGauges(registry);
  }

  observeStage(stage: StageDefinition, county: string | null, seconds: number): void {
    const histogram = stage.kind === 'machine' ? this.machineStage : this.humanStage;
    histogram.observe({ stage: stage.name, county: county ?? 'unknown' }, Math.max(seconds, 0));
  }

  /** The running app's gauges read from `next` (undefined: the app stopped). */
  static bind(next: GaugeSource | undefined): void {
    source = next;
  }

  private scrapeGauges(registry: Registry): void {
    const gauge = (
      name: string,
      help: string,
      labelNames: string[],
      read: (g: Gauge<string>, s: GaugeSource) => Promise<void> | void,
    ) =>
      getOrCreate(
        registry,
        name,
        () =>
          new Gauge({
            name,
            help,
            labelNames,
            registers: [registry],
            async collect() {
              this.reset();
              if (!source) return;
              try {
                await read(this, source);
              } catch {
                // The read model is unreachable: no sample this scrape (readiness reports the database), never a
                // failed scrape that would hide every other metric.
              }
            },
          }),
      );
    gauge(
      'referral_referrals',
      'Referrals in the read model by current state and county.',
      ['state', 'county'],
      async (g, s) => {
        for (const r of await s.referralsByState()) g.set({ state: r.state, county: r.county }, r.count);
      },
    );
    gauge(
      'referral_stuck_referrals',
      'Referrals waiting in a state past its expected time.',
      ['state'],
      async (g, s) => {
        for (const r of await s.stuckByState()) g.set({ state: r.state }, r.count);
      },
    );
    gauge(
      'referral_ops_alerts_open',
      'Alerts not yet resolved, by code and severity.',
      ['code', 'severity'],
      async (g, s) => {
        for (const r of await s.openAlerts()) g.set({ code: r.code, severity: r.severity }, r.count);
      },
    );
    gauge(
      'referral_dead_letters',
      'Dead letters recorded on the DLQ stream, by service.',
      ['service'],
      async (g, s) => {
        for (const r of await s.deadLettersByService()) g.set({ service: r.service }, r.count);
      },
    );
    gauge(
      'referral_consumer_pending_messages',
      'Messages in the stream not yet delivered to the durable consumer (JetStream num_pending).',
      ['consumer', 'stream'],
      (g, s) => {
        for (const c of s.consumerLag()) g.set({ consumer: c.consumer, stream: c.stream }, c.pending);
      },
    );
    gauge(
      'referral_consumer_ack_pending_messages',
      'Messages delivered to the durable consumer and not yet acknowledged (JetStream num_ack_pending).',
      ['consumer', 'stream'],
      (g, s) => {
        for (const c of s.consumerLag()) g.set({ consumer: c.consumer, stream: c.stream }, c.ackPending);
      },
    );
    gauge(
      'referral_consumer_redelivered_messages',
      'Messages redelivered to the durable consumer and not yet acknowledged (JetStream num_redelivered).',
      ['consumer', 'stream'],
      (g, s) => {
        for (const c of s.consumerLag()) g.set({ consumer: c.consumer, stream: c.stream }, c.redelivered);
      },
    );
  }
}
