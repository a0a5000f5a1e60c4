import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, register as defaultRegistry } from 'prom-client';

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

/** Messaging metrics. Labels are bounded (event type, consumer, outcome): never ids, never PII. */
@Injectable()
export class MessagingMetrics {
  readonly published: Counter<'event_type' | 'outcome'>;
  readonly consumed: Counter<'event_type' | 'consumer' | 'outcome'>;
  readonly processing: Histogram<'event_type' | 'consumer' | 'outcome'>;
  readonly redeliveries: Counter<'consumer'>;
  readonly refused: Counter<'event_type' | 'consumer' | 'code'>;
  readonly urgentYields: Counter<'consumer'>;

  constructor(registry: Registry = defaultRegistry) {
    this.published = getOrCreate(
      registry,
      'referral_events_published_total',
      () =>
        new Counter({
          name: 'referral_events_published_total',
          help: 'Outbox rows sent to JetStream, by outcome (ack, duplicate, error).',
          labelNames: ['event_type', 'outcome'],
          registers: [registry],
        }),
    );
    this.consumed = getOrCreate(
      registry,
      'referral_events_consumed_total',
      () =>
        new Counter({
          name: 'referral_events_consumed_total',
          help: 'Messages settled by consumers, by outcome (ack, duplicate, ignored, nak, dead-letter).',
          labelNames: ['event_type', 'consumer', 'outcome'],
          registers: [registry],
        }),
    );
    this.processing = getOrCreate(
      registry,
      'referral_event_processing_seconds',
      () =>
        new Histogram({
          name: 'referral_event_processing_seconds',
          help: 'Time from receipt to settlement of a message.',
          labelNames: ['event_type', 'consumer', 'outcome'],
          registers: [registry],
        }),
    );
    this.redeliveries = getOrCreate(
      registry,
      'referral_event_redeliveries_total',
      () =>
        new Counter({
          name: 'referral_event_redeliveries_total',
          help: 'Messages received on a second or later delivery.',
          labelNames: ['consumer'],
          registers: [registry],
        }),
    );
    this.refused = getOrCreate(
      registry,
      'referral_events_refused_total',
      () =>
        new Counter({
          name: 'referral_events_refused_total',
          help: 'Events refused for security reasons (forged origin, a seal moved to another referral), by code.',
          labelNames: ['event_type', 'consumer', 'code'],
          registers: [registry],
        }),
    );
    this.urgentYields = getOrCreate(
      registry,
      'referral_consumer_urgent_yields_total',
      () =>
        new Counter({
          name: 'referral_consumer_urgent_yields_total',
          help: 'Routine batches cut short so that green-channel deliveries in the same process went first.',
          labelNames: ['consumer'],
          registers: [registry],
        }),
    );
  }
}
