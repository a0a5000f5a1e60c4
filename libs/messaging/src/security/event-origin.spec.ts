import { EVENTS, SERVICE_NAMES, SERVICES } from '@app/contracts';
import { SecurityException } from '@app/core';
import { MessagingErrorCode } from '../messaging.errors';
import { allowedSources, EventOriginException, originProblem, verifyOrigin } from './event-origin';

describe('event origin', () => {
  const onReferral = (registrySubject: string | undefined) => ({
    stream: 'REFERRAL' as const,
    registrySubject,
  });
  const registered = (source: string) => ({ source, type: EVENTS.referralRegistered.type });

  it('should accept an event from the one producer the contracts name, on its stream', () => {
    expect(
      originProblem(
        registered('/registration'),
        EVENTS.referralRegistered,
        onReferral('referral.registered'),
      ),
    ).toBeUndefined();
  });

  it.each([
    ['another service', '/rehab-site'],
    ['the consumer itself', '/hospital-intake'],
    ['an unknown source', '/attacker'],
    ['the producer without its slash', 'registration'],
    ['the producer as a URL', 'https://registration'],
  ])('should refuse a referral.registered declared by %s', (_why, source) => {
    expect(
      originProblem(registered(source), EVENTS.referralRegistered, onReferral('referral.registered')),
    ).toMatch(/only \/registration may publish/);
  });

  it('should refuse an event delivered on a subject outside its stream or outside the namespace', () => {
    const site = { stream: 'SITE' as const, registrySubject: 'referral.registered' };
    expect(originProblem(registered('/registration'), EVENTS.referralRegistered, site)).toMatch(
      /outside stream SITE/,
    );
    expect(
      originProblem(registered('/registration'), EVENTS.referralRegistered, onReferral(undefined)),
    ).toMatch(/outside this bus namespace/);
    expect(
      originProblem(registered('/registration'), EVENTS.referralRegistered, onReferral('green.registered')),
    ).toMatch(/outside stream REFERRAL/);
  });

  it('should let every service raise ops alerts, and nobody else', () => {
    expect(allowedSources(EVENTS.opsAlertRaised)).toEqual(SERVICE_NAMES.map((s) => `/${s}`));
    expect(allowedSources(EVENTS.referralDischarged)).toEqual([`/${SERVICES.hospitalIntake}`]);
    const ops = { stream: 'OPS' as const, registrySubject: 'ops.alert.raised' };
    const alert = (source: string) => ({
      source,
      type: EVENTS.opsAlertRaised.type,
      data: { service: source.slice(1) },
    });
    expect(originProblem(alert('/rehab-site'), EVENTS.opsAlertRaised, ops)).toBeUndefined();
    expect(originProblem(alert('/nobody'), EVENTS.opsAlertRaised, ops)).toBeDefined();
  });

  it.each([
    ['ops.alert.raised', EVENTS.opsAlertRaised, 'ops.alert.raised'],
    ['dead-letter.recorded', EVENTS.deadLetterRecorded, EVENTS.deadLetterRecorded.subject],
  ])('should refuse a %s whose data.service is not its sender', (_name, definition, subject) => {
    const delivered = { stream: definition.stream, registrySubject: subject };
    const claims = (service: unknown) => ({
      source: '/rehab-site',
      type: definition.type,
      data: { service },
    });
    expect(originProblem(claims('rehab-site'), definition, delivered)).toBeUndefined();
    expect(originProblem(claims('registration'), definition, delivered)).toMatch(
      /names "registration": a service may only report about itself/,
    );
    expect(originProblem(claims(undefined), definition, delivered)).toMatch(/names no service/);
    expect(
      originProblem({ source: '/rehab-site', type: definition.type }, definition, delivered),
    ).toBeDefined();
  });

  it('should throw a security exception that is dead-lettered, never retried', () => {
    const refuse = () =>
      verifyOrigin(registered('/rehab-site'), EVENTS.referralRegistered, onReferral('referral.registered'));
    expect(refuse).toThrow(EventOriginException);
    expect(refuse).toThrow(SecurityException);
    try {
      refuse();
    } catch (error) {
      expect(error).toMatchObject({ code: MessagingErrorCode.EVENT_ORIGIN_REFUSED, retryable: false });
    }
  });
});
