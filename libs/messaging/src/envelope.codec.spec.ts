import { randomUUID } from 'node:crypto';
import { EVENTS, ReferralAssessedData } from '@app/contracts';
import { DomainException } from '@app/core';
import { buildEnvelope, decodeEnvelope, toFieldErrors, validateEventData } from './envelope.codec';
import { InvalidEventException, MessagingErrorCode } from './messaging.errors';

const NOW = new Date('2025-03-14T09:26:53.589Z');
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const assessedData = (overrides: Partial<ReferralAssessedData> = {}): ReferralAssessedData => ({
  referralId: randomUUID(),
  hospitalId: 'h1',
  riskLevel: 1,
  conditionStatus: 'stable',
  colourGrade: 'green',
  eligibleForCommunityRehab: true,
  rehabNeeds: ['day-care'],
  employmentInterest: false,
  assessedAt: new Date().toISOString(),
  encounterId: 'enc-1',
  residenceDivisionCode: '610902001003',
  sealedPatient: {
    alg: 'A256GCM',
    keyId: 'k1',
    iv: 'AAECAwQFBgcICQoL',
    tag: 'AAECAwQFBgcICQoLDA0ODw',
    ciphertext: 'c2VhbGVk',
  },
  consents: [],
  ...overrides,
});

/** Runs `fn` and returns what it threw, so several properties of the error can be asserted. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function invalidEvent(fn: () => unknown): InvalidEventException {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(InvalidEventException);
  return error as InvalidEventException;
}

const pointersOf = (error: DomainException) => (error.details.errors ?? []).map((e) => e.pointer);

describe('envelope codec', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: NOW });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe(buildEnvelope.name, () => {
    it('should produce a CloudEvents 1.0 envelope when the data is valid', () => {
      const data = assessedData();

      const envelope = buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', data, {
        subject: data.referralId,
      });

      expect(envelope).toEqual({
        specversion: '1.0',
        id: expect.stringMatching(UUID_PATTERN),
        source: '/hospital-intake',
        type: 'cn.referralbus.referral.assessed.v1',
        subject: data.referralId,
        time: NOW.toISOString(),
        datacontenttype: 'application/json',
        correlationid: envelope.id,
        data,
      });
    });

    it('should take the type from the registry entry', () => {
      const envelope = buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', assessedData());

      expect(envelope.type).toBe(EVENTS.referralAssessed.type);
    });

    it('should give each envelope a new id when no id is given', () => {
      const first = buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', assessedData());
      const second = buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', assessedData());

      expect(first.id).not.toBe(second.id);
    });

    it('should use the given id, time, correlation and causation ids', () => {
      const id = randomUUID();
      const correlationId = randomUUID();
      const causationId = randomUUID();

      const envelope = buildEnvelope(EVENTS.referralAssessed, 'registration', assessedData(), {
        id,
        time: new Date('2024-12-31T23:59:59.000Z'),
        correlationId,
        causationId,
      });

      expect(envelope).toMatchObject({
        id,
        source: '/registration',
        time: '2024-12-31T23:59:59.000Z',
        correlationid: correlationId,
        causationid: causationId,
      });
    });

    it('should default the correlation id to the event id when none is given', () => {
      const envelope = buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', assessedData(), {
        id: 'evt-1',
      });

      expect(envelope.correlationid).toBe('evt-1');
    });

    it('should leave causationid and subject out when neither is given', () => {
      const envelope = buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', assessedData());

      expect(envelope).not.toHaveProperty('causationid');
      expect(JSON.parse(JSON.stringify(envelope))).not.toHaveProperty('subject');
    });

    it('should strip unknown data fields when the data has extra properties', () => {
      const data = { ...assessedData(), patientName: 'must not travel' };

      const envelope = buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', data);

      expect(envelope.data).not.toHaveProperty('patientName');
      expect(envelope.data).toMatchObject({ hospitalId: 'h1', riskLevel: 1 });
    });

    it('should throw INVALID_EVENT with the pointer of the bad field when the data is invalid', () => {
      const error = invalidEvent(() =>
        buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', assessedData({ riskLevel: 9 })),
      );

      expect(error.code).toBe(MessagingErrorCode.INVALID_EVENT);
      expect(error.kind).toBe('invalid');
      expect(error.details.errors).toEqual([
        { pointer: '#/data/riskLevel', detail: expect.stringContaining('riskLevel') },
      ]);
      expect(error.message).toContain('#/data/riskLevel');
      expect(error.message).toContain(EVENTS.referralAssessed.type);
    });

    it('should list every bad field when several fields are invalid', () => {
      const error = invalidEvent(() =>
        buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', {
          ...assessedData(),
          referralId: 'not-a-uuid',
          colourGrade: 'blue' as ReferralAssessedData['colourGrade'],
          rehabNeeds: ['juggling' as ReferralAssessedData['rehabNeeds'][number]],
        }),
      );

      expect(pointersOf(error)).toEqual(
        expect.arrayContaining(['#/data/referralId', '#/data/colourGrade', '#/data/rehabNeeds']),
      );
    });

    it('should throw INVALID_EVENT when a required field is missing', () => {
      const { assessedAt: _assessedAt, ...withoutTimestamp } = assessedData();

      const error = invalidEvent(() =>
        buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', withoutTimestamp as ReferralAssessedData),
      );

      expect(pointersOf(error)).toContain('#/data/assessedAt');
    });

    it('should point into nested objects when a nested field is invalid', () => {
      const error = invalidEvent(() =>
        buildEnvelope(EVENTS.referralDischarged, 'hospital-intake', {
          referralId: randomUUID(),
          hospitalId: 'h1',
          encounterId: 'enc-1',
          dischargedAt: new Date().toISOString(),
          residenceDivisionCode: '110101',
          sealedPatient: { alg: 'A256GCM', keyId: 'k1', iv: 'short', tag: 'x'.repeat(22), ciphertext: 'abc' },
        }),
      );

      expect(pointersOf(error)).toContain('#/data/sealedPatient/iv');
    });
  });

  describe(decodeEnvelope.name, () => {
    const built = (data = assessedData()) =>
      buildEnvelope(EVENTS.referralAssessed, 'hospital-intake', data, {
        subject: data.referralId,
        causationId: randomUUID(),
      });

    it('should round-trip an envelope made by buildEnvelope', () => {
      const envelope = built();

      const decoded = decodeEnvelope(JSON.stringify(envelope), 'referral.assessed');

      expect(decoded.definition).toBe(EVENTS.referralAssessed);
      expect(decoded.envelope).toEqual(envelope);
    });

    it('should return the data as an instance of the event DTO', () => {
      const decoded = decodeEnvelope(JSON.stringify(built()), 'referral.assessed');

      expect(decoded.envelope.data).toBeInstanceOf(ReferralAssessedData);
    });

    it('should strip unknown data fields when the producer sent extra properties', () => {
      const envelope = built();
      const body = JSON.stringify({
        ...envelope,
        data: { ...envelope.data, idNumber: '110101199001011234' },
      });

      const decoded = decodeEnvelope(body, 'referral.assessed');

      expect(decoded.envelope.data).not.toHaveProperty('idNumber');
      expect(decoded.envelope.data).toEqual(envelope.data);
    });

    it('should reject a body that is not JSON', () => {
      const error = invalidEvent(() => decodeEnvelope('{"specversion": "1.0"', 'referral.assessed'));

      expect(error.message).toBe('message body is not JSON');
      expect(error.code).toBe(MessagingErrorCode.INVALID_EVENT);
    });

    it.each([
      ['a JSON array', '[]'],
      ['JSON null', 'null'],
      ['a JSON string', '"referral"'],
      ['a JSON number', '42'],
    ])('should reject a body that is %s', (_label, body) => {
      const error = invalidEvent(() => decodeEnvelope(body, 'referral.assessed'));

      expect(error.message).toBe('message body is not a JSON object');
    });

    it('should reject a subject that has no registered event', () => {
      const error = invalidEvent(() => decodeEnvelope(JSON.stringify(built()), 'referral.teleported'));

      expect(error.message).toContain('referral.teleported');
    });

    it('should reject a type that does not match the subject', () => {
      const error = invalidEvent(() => decodeEnvelope(JSON.stringify(built()), 'referral.discharged'));

      expect(error.message).toContain(EVENTS.referralAssessed.type);
      expect(error.message).toContain(EVENTS.referralDischarged.type);
    });

    it('should reject an envelope without a correlationid', () => {
      const { correlationid: _correlationid, ...rest } = built();

      const error = invalidEvent(() => decodeEnvelope(JSON.stringify(rest), 'referral.assessed'));

      expect(error.message).toBe('correlationid is missing');
    });

    it('should reject an envelope whose correlationid is empty', () => {
      const body = JSON.stringify({ ...built(), correlationid: '' });

      expect(() => decodeEnvelope(body, 'referral.assessed')).toThrow('correlationid is missing');
    });

    it('should reject an envelope whose correlationid is not a string', () => {
      const body = JSON.stringify({ ...built(), correlationid: 42 });

      expect(() => decodeEnvelope(body, 'referral.assessed')).toThrow(InvalidEventException);
    });

    it.each(['source', 'type', 'id', 'time'])('should reject an envelope without %s', (attribute) => {
      const body = JSON.stringify({ ...built(), [attribute]: undefined });

      const error = invalidEvent(() => decodeEnvelope(body, 'referral.assessed'));

      expect(error.message).toBe(`CloudEvent attribute ${attribute} is missing`);
    });

    it('should reject an envelope with an empty id instead of inventing one', () => {
      const body = JSON.stringify({ ...built(), id: '' });

      expect(() => decodeEnvelope(body, 'referral.assessed')).toThrow('CloudEvent attribute id is missing');
    });

    it.each([undefined, '0.3'])('should reject specversion %s', (specversion) => {
      const body = JSON.stringify({ ...built(), specversion });

      expect(() => decodeEnvelope(body, 'referral.assessed')).toThrow(/specversion must be 1.0/);
    });

    it('should reject an envelope whose time is not a timestamp', () => {
      const body = JSON.stringify({ ...built(), time: 'yesterday' });

      expect(() => decodeEnvelope(body, 'referral.assessed')).toThrow(/not a valid CloudEvent/);
    });

    it('should reject invalid data with the pointers of the bad fields', () => {
      const envelope = built();
      const body = JSON.stringify({ ...envelope, data: { ...envelope.data, riskLevel: -1, hospitalId: '' } });

      const error = invalidEvent(() => decodeEnvelope(body, 'referral.assessed'));

      expect(pointersOf(error)).toEqual(expect.arrayContaining(['#/data/riskLevel', '#/data/hospitalId']));
    });

    it('should reject an envelope whose data is not an object', () => {
      const body = JSON.stringify({ ...built(), data: ['referral'] });

      expect(() => decodeEnvelope(body, 'referral.assessed')).toThrow('data must be a JSON object');
    });

    it('should reject an envelope without data', () => {
      const { data: _data, ...rest } = built();

      expect(() => decodeEnvelope(JSON.stringify(rest), 'referral.assessed')).toThrow(InvalidEventException);
    });
  });

  describe(validateEventData.name, () => {
    it('should reject null data', () => {
      expect(() => validateEventData(EVENTS.referralAssessed, null)).toThrow(
        `${EVENTS.referralAssessed.type}: data must be a JSON object`,
      );
    });
  });

  describe(toFieldErrors.name, () => {
    it('should flatten nested validation errors into JSON pointers', () => {
      expect(
        toFieldErrors([
          {
            property: 'patient',
            constraints: {},
            children: [{ property: 'idNumber', constraints: { matches: 'idNumber is wrong' }, children: [] }],
          },
          { property: 'riskLevel', constraints: { max: 'too high', isInt: 'not an int' } },
        ]),
      ).toEqual([
        { pointer: '#/patient/idNumber', detail: 'idNumber is wrong' },
        { pointer: '#/riskLevel', detail: 'too high' },
        { pointer: '#/riskLevel', detail: 'not an int' },
      ]);
    });
  });
});
