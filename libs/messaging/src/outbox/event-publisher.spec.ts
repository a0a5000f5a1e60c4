import { derivedEventId } from './event-publisher';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('derivedEventId', () => {
  const flow = () => ({
    traceparent: 't',
    causationId: 'in-1',
    consumer: 'ns__registration__referral-assessed',
  });

  it('should give the same ids when the same input is handled again, in the same order', () => {
    const first = flow();
    const again = flow();
    const ids = (f: ReturnType<typeof flow>) => [
      derivedEventId('registration', f, 'referral.registered', 'r1', undefined),
      derivedEventId('registration', f, 'referral.registered', 'r1', undefined),
      derivedEventId('registration', f, 'ops.alert', undefined, undefined),
    ];
    const a = ids(first);
    expect(a.every((id) => UUID.test(id!))).toBe(true);
    expect(new Set(a).size).toBe(3);
    expect(ids(again)).toEqual(a);
  });

  it('should give other ids for another input, durable, service, subject or recipient', () => {
    const base = derivedEventId('registration', flow(), 'referral.registered', 'r1', undefined);
    expect(
      derivedEventId(
        'registration',
        { ...flow(), causationId: 'in-2' },
        'referral.registered',
        'r1',
        undefined,
      ),
    ).not.toBe(base);
    expect(
      derivedEventId(
        'registration',
        { ...flow(), consumer: 'other' },
        'referral.registered',
        'r1',
        undefined,
      ),
    ).not.toBe(base);
    expect(derivedEventId('rehab-site', flow(), 'referral.registered', 'r1', undefined)).not.toBe(base);
    expect(derivedEventId('registration', flow(), 'referral.registered', 'r2', undefined)).not.toBe(base);
    expect(derivedEventId('registration', flow(), 'referral.registered', 'r1', 'site-1')).not.toBe(base);
  });

  it('should leave the id random (undefined) outside an event handler', () => {
    expect(derivedEventId('registration', undefined, 'referral.registered', 'r1', undefined)).toBeUndefined();
    expect(
      derivedEventId('registration', { traceparent: 't' }, 'referral.registered', 'r1', undefined),
    ).toBeUndefined();
    expect(
      derivedEventId(
        'registration',
        { traceparent: 't', causationId: 'in-1' },
        'referral.registered',
        'r1',
        undefined,
      ),
    ).toBeUndefined();
  });
});
