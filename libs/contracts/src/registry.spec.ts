import { CONSUMERS, consumersOf, DEFAULT_DELIVERY, filterMatches, URGENT_DELIVERY } from './consumers';
import { EVENT_TYPE_PREFIX, eventBySubject, EVENTS, SHARED_EVENTS } from './events';
import { SERVICE_NAMES, SERVICES } from './services';
import { StreamKey, STREAMS } from './streams';

const events = Object.values(EVENTS);
const consumers = Object.values(CONSUMERS);
const streamKeys = Object.keys(STREAMS) as StreamKey[];

/** A NATS subject token: no wildcards, no whitespace, not empty. */
const TOKEN = /^[^\s.*>]+$/;

const duplicatesOf = (values: string[]) => values.filter((value, index) => values.indexOf(value) !== index);

describe('STREAMS', () => {
  it('should key each stream by its own name', () => {
    for (const key of streamKeys) {
      expect(STREAMS[key].name).toBe(key);
    }
  });

  it('should use UPPER_SNAKE stream names', () => {
    for (const stream of Object.values(STREAMS)) {
      expect(stream.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
    }
  });

  it('should give every stream its own single-token subject root', () => {
    const roots = Object.values(STREAMS).map((s) => s.subjectRoot);

    expect(duplicatesOf(roots)).toEqual([]);
    for (const root of roots) {
      expect(root).toMatch(TOKEN);
    }
  });

  it('should keep messages for at least the de-duplication window', () => {
    for (const stream of Object.values(STREAMS)) {
      expect(stream.maxAgeSeconds).toBeGreaterThan(stream.duplicateWindowSeconds);
    }
  });
});

describe('EVENTS', () => {
  it('should start every subject with its stream subject root', () => {
    for (const event of events) {
      expect(event.subject.startsWith(`${STREAMS[event.stream].subjectRoot}.`)).toBe(true);
    }
  });

  it('should use concrete subjects made of valid tokens', () => {
    for (const event of events) {
      for (const token of event.subject.split('.')) {
        expect(token).toMatch(TOKEN);
      }
    }
  });

  it('should give every event a unique subject', () => {
    expect(duplicatesOf(events.map((e) => e.subject))).toEqual([]);
  });

  it('should give every event a unique type', () => {
    expect(duplicatesOf(events.map((e) => e.type))).toEqual([]);
  });

  it('should version every type as <prefix>.<subject>.v<n>', () => {
    for (const event of events) {
      expect(event.type).toMatch(/\.v[1-9][0-9]*$/);
      expect(event.type.startsWith(`${EVENT_TYPE_PREFIX}.${event.subject}.v`)).toBe(true);
    }
  });

  it('should name a known service as the producer of every event', () => {
    for (const event of events) {
      expect(SERVICE_NAMES).toContain(event.producer);
    }
  });

  it('should give every event a DTO class and a description', () => {
    for (const event of events) {
      expect(typeof event.data).toBe('function');
      expect(event.description.length).toBeGreaterThan(0);
    }
  });

  it('should only share events that are in the registry', () => {
    for (const shared of SHARED_EVENTS) {
      expect(events).toContain(shared);
    }
  });
});

describe(eventBySubject.name, () => {
  it('should find every registered event by its subject', () => {
    for (const event of events) {
      expect(eventBySubject(event.subject)).toBe(event);
    }
  });

  it('should return undefined when the subject is not registered', () => {
    expect(eventBySubject('referral.unknown')).toBeUndefined();
    expect(eventBySubject('referral.>')).toBeUndefined();
  });
});

describe('CONSUMERS', () => {
  it('should give every consumer a unique durable', () => {
    expect(duplicatesOf(consumers.map((c) => c.durable))).toEqual([]);
  });

  it('should use durables without ".", "*", ">" or whitespace', () => {
    for (const consumer of consumers) {
      expect(consumer.durable).not.toMatch(/[.*>\s]/);
      expect(consumer.durable.length).toBeGreaterThan(0);
    }
  });

  it('should prefix every durable with its service', () => {
    for (const consumer of consumers) {
      expect(consumer.durable.startsWith(`${consumer.service}__`)).toBe(true);
    }
  });

  it('should filter on a subject of its own stream', () => {
    for (const consumer of consumers) {
      expect(consumer.filterSubject.startsWith(`${STREAMS[consumer.stream].subjectRoot}.`)).toBe(true);
    }
  });

  it('should filter on a registered subject or on the whole stream', () => {
    for (const consumer of consumers) {
      const wholeStream = `${STREAMS[consumer.stream].subjectRoot}.>`;
      const registered = eventBySubject(consumer.filterSubject);

      expect(consumer.filterSubject === wholeStream || registered?.stream === consumer.stream).toBe(true);
    }
  });

  it('should deliver at least one registered event to every consumer', () => {
    for (const consumer of consumers) {
      expect(events.some((e) => filterMatches(consumer.filterSubject, e.subject))).toBe(true);
    }
  });

  it('should keep every backoff shorter than maxDeliver', () => {
    for (const consumer of consumers) {
      expect(consumer.delivery.backoffMs.length).toBeLessThan(consumer.delivery.maxDeliver);
    }
  });

  it('should use positive, non-decreasing backoff delays', () => {
    for (const policy of [DEFAULT_DELIVERY, URGENT_DELIVERY]) {
      policy.backoffMs.forEach((delay, index) => {
        expect(delay).toBeGreaterThan(0);
        if (index > 0) expect(delay).toBeGreaterThanOrEqual(policy.backoffMs[index - 1]);
      });
    }
  });

  it('should use the urgent policy for every consumer of the green stream', () => {
    for (const consumer of consumers.filter(
      (c) => c.stream === 'GREEN' || c.filterSubject.startsWith('green.'),
    )) {
      expect(consumer.delivery).toBe(URGENT_DELIVERY);
    }
  });
});

describe(filterMatches.name, () => {
  describe('exact filters', () => {
    it('should match the same subject', () => {
      expect(filterMatches('referral.assessed', 'referral.assessed')).toBe(true);
    });

    it.each(['referral.registered', 'referral.assessed.v2', 'referral', 'green.assessed'])(
      'should not match %s when the filter is referral.assessed',
      (subject) => {
        expect(filterMatches('referral.assessed', subject)).toBe(false);
      },
    );
  });

  describe('root.> filters', () => {
    it.each(['referral.assessed', 'referral.consent-withdrawn', 'referral.a.b.c'])(
      'should match %s when the filter is referral.>',
      (subject) => {
        expect(filterMatches('referral.>', subject)).toBe(true);
      },
    );

    it.each(['referral', 'referrals.assessed', 'green.relapse-reported', 'ops.referral.x'])(
      'should not match %s when the filter is referral.>',
      (subject) => {
        expect(filterMatches('referral.>', subject)).toBe(false);
      },
    );

    it('should match deeper subjects when the filter has more tokens', () => {
      expect(filterMatches('ops.alert.>', 'ops.alert.raised')).toBe(true);
      expect(filterMatches('ops.alert.>', 'ops.alerts')).toBe(false);
    });
  });
});

describe(consumersOf.name, () => {
  it.each(SERVICE_NAMES)('should return only the consumers of %s', (service) => {
    const own = consumersOf(service);

    expect(own.every((c) => c.service === service)).toBe(true);
    expect(own).toEqual(consumers.filter((c) => c.service === service));
  });

  it('should return the seven consumers of registration (assessed, consents added, relapse, assigned, declined, file summarised, cancelled)', () => {
    expect(consumersOf(SERVICES.registration)).toEqual([
      CONSUMERS.registrationAssessed,
      CONSUMERS.registrationConsentsAdded,
      CONSUMERS.registrationRelapse,
      CONSUMERS.registrationAssigned,
      CONSUMERS.registrationDeclined,
      CONSUMERS.registrationFileSummarised,
      CONSUMERS.registrationCancelled,
    ]);
  });

  it('should return every consumer exactly once across all services', () => {
    const all = SERVICE_NAMES.flatMap((service) => consumersOf(service));

    expect(all).toHaveLength(consumers.length);
    expect(new Set(all)).toEqual(new Set(consumers));
  });

  it('should return the five read-model consumers of ops-monitor', () => {
    expect(consumersOf(SERVICES.opsMonitor).map((c) => c.durable)).toEqual([
      'ops-monitor__referral',
      'ops-monitor__green',
      'ops-monitor__employment',
      'ops-monitor__ops',
      'ops-monitor__dlq',
    ]);
  });
});
