import { CONSUMERS, STREAMS } from '@app/contracts';
import { Topology } from './topology';

describe(Topology.name, () => {
  describe('without a namespace', () => {
    let sut: Topology;

    beforeEach(() => {
      sut = new Topology();
    });

    it('should default the namespace to empty when none is given', () => {
      expect(sut.namespace).toBe('');
    });

    describe('streamName', () => {
      it('should return the registry name when the namespace is empty', () => {
        expect(sut.streamName('REFERRAL')).toBe('REFERRAL');
        expect(sut.streamName('DLQ')).toBe('DLQ');
      });
    });

    describe('streamSubjects', () => {
      it('should return the wildcard of the subject root when the namespace is empty', () => {
        expect(sut.streamSubjects(STREAMS.GREEN)).toEqual(['green.>']);
      });
    });

    describe('subject', () => {
      it('should leave the subject alone when the namespace is empty', () => {
        expect(sut.subject('referral.assessed')).toBe('referral.assessed');
      });
    });

    describe('durable', () => {
      it('should return the registry durable when the namespace is empty', () => {
        expect(sut.durable(CONSUMERS.registrationAssessed)).toBe('registration__referral-assessed');
      });
    });

    describe('registrySubject', () => {
      it('should return the wire subject unchanged when the namespace is empty', () => {
        expect(sut.registrySubject('referral.assessed')).toBe('referral.assessed');
      });
    });
  });

  describe('with a namespace', () => {
    let sut: Topology;

    beforeEach(() => {
      sut = new Topology('ns');
    });

    describe('streamName', () => {
      it('should prefix the stream name with the namespace and an underscore', () => {
        expect(sut.streamName('REFERRAL')).toBe('ns_REFERRAL');
        expect(sut.streamName('EMPLOYMENT')).toBe('ns_EMPLOYMENT');
      });
    });

    describe('streamSubjects', () => {
      it('should prefix the wildcard of the subject root with the namespace', () => {
        expect(sut.streamSubjects(STREAMS.REFERRAL)).toEqual(['ns.referral.>']);
      });
    });

    describe('subject', () => {
      it('should prefix the subject with the namespace and a dot', () => {
        expect(sut.subject('referral.x')).toBe('ns.referral.x');
      });
    });

    describe('durable', () => {
      it('should prefix the durable with the namespace and an underscore', () => {
        expect(sut.durable(CONSUMERS.opsMonitorGreen)).toBe('ns_ops-monitor__green');
      });

      it('should give different namespaces different durables when the consumer is the same', () => {
        const other = new Topology('bench1');

        expect(other.durable(CONSUMERS.opsMonitorGreen)).not.toBe(sut.durable(CONSUMERS.opsMonitorGreen));
      });
    });

    describe('registrySubject', () => {
      it('should strip the namespace prefix when the subject is inside the namespace', () => {
        expect(sut.registrySubject('ns.referral.assessed')).toBe('referral.assessed');
      });

      it('should invert subject when given any registry subject', () => {
        for (const registry of ['referral.consent-withdrawn', 'ops.alert.raised', 'dlq.recorded']) {
          expect(sut.registrySubject(sut.subject(registry))).toBe(registry);
        }
      });

      it('should return undefined when the subject has no namespace', () => {
        expect(sut.registrySubject('referral.assessed')).toBeUndefined();
      });

      it('should return undefined when the subject belongs to another namespace', () => {
        expect(sut.registrySubject('other.referral.assessed')).toBeUndefined();
      });

      it('should return undefined when the namespace is only a prefix of the first token', () => {
        expect(sut.registrySubject('nsx.referral.assessed')).toBeUndefined();
      });
    });
  });
});
