import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, validateSync } from 'class-validator';
import { EventDefinition, EVENTS, EventKey } from './events';
import {
  COMPONENTS_REF_PREFIX,
  dataSchemaName,
  dtoSchemas,
  envelopeSchema,
  eventDataSchemas,
  JSON_SCHEMA_DIALECT,
  JsonSchema,
} from './json-schema';
import { COLOUR_GRADES, CONDITION_STATUSES, REHAB_SERVICES } from './vocabulary';

// Ajv (and ajv-formats) come transitively with @asyncapi/parser and cloudevents; they are only used here.
const ajv = new Ajv({ strict: true, allErrors: true });
addFormats(ajv);

const REFERRAL_ID = '3f2b8c1e-9a4d-4c6b-8e2f-1a2b3c4d5e6f';
const OTHER_ID = '0b7a1c9e-5d2f-4a8b-9c3d-7e6f5a4b3c2d';
const SEALED = {
  alg: 'A256GCM',
  keyId: 'k1',
  iv: 'AAECAwQFBgcICQoL',
  tag: 'AAECAwQFBgcICQoLDA0ODw',
  ciphertext: 'c2VhbGVk',
};
const AT = '2025-03-01T08:30:00Z';
const LATER = '2025-03-02T08:30:00Z';

/** A valid `data` for every registry event. */
const VALID: Record<EventKey, Record<string, unknown>> = {
  referralDischarged: {
    referralId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    encounterId: 'ENC-42',
    dischargedAt: AT,
    residenceDivisionCode: '330106001002',
    sealedPatient: {
      alg: 'A256GCM',
      keyId: 'registration-2025',
      iv: 'AAECAwQFBgcICQoL',
      tag: 'AAECAwQFBgcICQoLDA0ODw',
      ciphertext: 'c2VhbGVkLXBhdGllbnQ',
    },
  },
  referralAssessed: {
    referralId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    riskLevel: 1,
    conditionStatus: 'basically-stable',
    colourGrade: 'yellow',
    eligibleForCommunityRehab: true,
    rehabNeeds: ['day-care', 'life-skills'],
    employmentInterest: false,
    assessedAt: AT,
    encounterId: 'ENC-42',
    residenceDivisionCode: '330106',
    sealedPatient: SEALED,
    consents: [
      { purpose: 'community-rehab', grantedBy: 'guardian', method: 'signed-at-hospital', grantedAt: AT },
    ],
  },
  referralAssessmentOverdue: {
    referralId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    dueAt: AT,
    overdueAt: LATER,
    workingDays: 3,
  },
  referralAssessmentReminder: {
    referralId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    dueAt: LATER,
    remindedAt: AT,
    workingDaysBefore: 1,
  },
  referralRegistered: {
    referralId: REFERRAL_ID,
    registrationId: OTHER_ID,
    patientRef: OTHER_ID,
    residenceDivisionCode: '330106',
    needs: ['peer-support'],
    riskLevel: 0,
    colourGrade: 'green',
    registeredAt: AT,
    sealedContact: SEALED,
  },
  referralApplicationReceived: {
    referralId: REFERRAL_ID,
    registrationId: OTHER_ID,
    patientRef: OTHER_ID,
    channel: 'family',
    organisationId: 'ak-hanbin-family-portal',
    residenceDivisionCode: '610902001001',
    receivedAt: AT,
    registerDueAt: LATER,
    linkedToExisting: false,
  },
  referralApplicationEnded: {
    referralId: REFERRAL_ID,
    outcome: 'linked-to-existing',
    reasonCode: 'already-registered',
    endedAt: AT,
  },
  referralSlaBreached: {
    referralId: REFERRAL_ID,
    stage: 'verify-and-register',
    dueAt: AT,
    breachedAt: LATER,
    workingDays: 5,
  },
  referralRegistrationExpired: {
    referralId: REFERRAL_ID,
    registrationId: OTHER_ID,
    patientRef: OTHER_ID,
    purpose: 'community-rehab',
    awaitingConsentSince: AT,
    expiredAt: LATER,
  },
  referralAssigned: {
    referralId: REFERRAL_ID,
    siteId: 'site_7',
    siteName: '金星社区精康服务站',
    hop: 1,
    assignedAt: AT,
    answerDueAt: LATER,
    needsManualPlacement: false,
  },
  referralAccepted: { referralId: REFERRAL_ID, siteId: 'site_7', acceptedAt: AT },
  referralDeclined: { referralId: REFERRAL_ID, siteId: 'site_7', reasonCode: 'no-capacity', declinedAt: AT },
  referralEscalated: { referralId: REFERRAL_ID, siteId: 'site_7', answerDueAt: AT, escalatedAt: LATER },
  referralClosed: { referralId: REFERRAL_ID, siteId: 'site_7', outcome: 'recovered', closedAt: AT },
  referralConsentWithdrawn: {
    referralId: REFERRAL_ID,
    patientRef: OTHER_ID,
    purpose: 'community-rehab',
    withdrawnAt: AT,
  },
  referralConsentGranted: { referralId: REFERRAL_ID, purpose: 'employment', grantedAt: AT },
  employmentStageChanged: {
    referralId: REFERRAL_ID,
    siteId: 'site_7',
    stage: 'placed',
    providerName: '汉滨区残联就业服务中心',
    placementType: 'supported',
    changedAt: AT,
  },
  referralCancelled: {
    referralId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    reasonCode: 'entered-in-error',
    cancelledAt: AT,
  },
  hospitalReferralStep: {
    referralId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    sequence: 3,
    step: 'declined',
    occurredAt: AT,
    siteId: 'site_7',
    siteName: '城关镇康复站点',
    siteCountyCode: '610902',
    code: 'no-capacity',
  },
  greenRelapseReported: { referralId: REFERRAL_ID, siteId: 'site_7', observedRiskLevel: 4, reportedAt: AT },
  employmentReadinessConfirmed: {
    referralId: REFERRAL_ID,
    siteId: 'site_7',
    residenceDivisionCode: '610902001003',
    programmes: ['supported-employment'],
    confirmedAt: AT,
  },
  employmentReferralReferred: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    providerName: '汉滨区残联就业服务中心',
    hop: 1,
    referredAt: AT,
  },
  employmentReferralUnplaced: { referralId: REFERRAL_ID, reason: 'no-provider', hop: 1, unplacedAt: AT },
  employmentReferralAccepted: { referralId: REFERRAL_ID, providerId: 'ep_1', acceptedAt: AT },
  employmentReferralDeclined: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    reasonCode: 'no-capacity',
    declinedAt: AT,
  },
  employmentTrainingStarted: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    programme: 'vocational-training',
    startedAt: AT,
  },
  employmentPlaced: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    placementType: 'supported',
    employerName: '安康市某食品厂',
    startDate: '2025-03-03',
    placedAt: AT,
  },
  employmentRetentionChecked: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    month: 1,
    retained: true,
    checkedAt: LATER,
  },
  employmentRetentionOverdue: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    month: 3,
    dueAt: AT,
    overdueAt: LATER,
  },
  employmentReferralPaused: { referralId: REFERRAL_ID, providerId: 'ep_1', pausedAt: AT },
  employmentReferralResumed: { referralId: REFERRAL_ID, resumedAt: LATER },
  employmentReferralEnded: { referralId: REFERRAL_ID, reason: 'consent-withdrawn', endedAt: LATER },
  providerReferralOffered: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    programmes: ['job-placement'],
    hop: 1,
    offeredAt: AT,
  },
  providerReferralRevoked: {
    referralId: REFERRAL_ID,
    providerId: 'ep_1',
    reason: 'consent-withdrawn',
    revokedAt: LATER,
  },
  greenNotified: {
    referralId: REFERRAL_ID,
    caseId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    step: 1,
    route: 'county-designated',
    riskLevel: 4,
    jointManagement: true,
    notifiedAt: AT,
    answerDueAt: LATER,
  },
  greenAcknowledged: {
    referralId: REFERRAL_ID,
    caseId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    acknowledgedBy: '精神科总值班 王医生',
    acknowledgedAt: AT,
  },
  greenReadmitted: { referralId: REFERRAL_ID, caseId: REFERRAL_ID, hospitalId: 'HOSP-001', readmittedAt: AT },
  greenDeclined: {
    referralId: REFERRAL_ID,
    caseId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    reason: 'no-bed',
    declinedAt: AT,
  },
  greenEscalated: {
    referralId: REFERRAL_ID,
    caseId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    cause: 'no-answer',
    toHospitalId: 'HOSP-002',
    escalatedAt: AT,
  },
  hospitalGreenOffered: {
    referralId: REFERRAL_ID,
    caseId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    riskLevel: 3,
    route: 'discharging-hospital',
    jointManagement: true,
    offeredAt: AT,
    answerDueAt: LATER,
  },
  hospitalGreenWithdrawn: {
    referralId: REFERRAL_ID,
    caseId: REFERRAL_ID,
    hospitalId: 'HOSP-001',
    cause: 'declined',
    withdrawnAt: AT,
  },
  referralServiceRecorded: {
    referralId: REFERRAL_ID,
    siteId: 'site_7',
    kind: 'session',
    occurredAt: AT,
    serviceType: 'day-care',
    durationMinutes: 90,
    recordedAt: LATER,
  },
  referralTransferred: {
    referralId: REFERRAL_ID,
    fromSiteId: 'site_7',
    toSiteId: 'site_8',
    transferredAt: AT,
  },
  siteReferralAssigned: {
    referralId: REFERRAL_ID,
    siteId: 'site_7',
    hop: 1,
    needs: ['day-care'],
    riskLevel: 1,
    colourGrade: 'green',
    assignedAt: AT,
    answerDueAt: LATER,
    needsManualPlacement: false,
  },
  siteReferralRevoked: { referralId: REFERRAL_ID, siteId: 'site_7', reason: 'escalated', revokedAt: AT },
  siteReferralEscalated: {
    referralId: REFERRAL_ID,
    siteId: 'centre_1',
    escalatedSiteId: 'site_7',
    countyCode: '330106',
    hop: 1,
    answerDueAt: AT,
    escalatedAt: LATER,
  },
  referralPeriodicAssessmentDue: { referralId: REFERRAL_ID, siteId: 'site_7', reviewBy: LATER, raisedAt: AT },
  referralPeriodicAssessmentOverdue: {
    referralId: REFERRAL_ID,
    siteId: 'site_7',
    reviewBy: AT,
    raisedAt: LATER,
  },
  referralFileSummarised: {
    referralId: REFERRAL_ID,
    siteId: 'site_7',
    stage: 'in-service',
    sessionCount: 3,
    lastSessionAt: AT,
    assessmentCount: 1,
    lastAssessmentAt: AT,
    nextAssessmentBy: LATER,
    updatedAt: LATER,
  },
  opsAlertRaised: {
    code: 'DEAD_LETTER',
    severity: 'warning',
    service: 'rehab-site',
    summary: 'A message was dead-lettered',
    details: { consumer: 'rehab-site__referral-registered', deliveries: 8 },
    raisedAt: AT,
  },
  deadLetterRecorded: {
    deadLetterId: OTHER_ID,
    service: 'rehab-site',
    consumer: 'rehab-site__referral-registered',
    stream: 'REFERRAL',
    streamSequence: 12,
    deliveries: 8,
    errorCode: 'HANDLER_FAILED',
    recordedAt: AT,
  },
};

const entries = Object.entries(EVENTS) as [EventKey, EventDefinition][];
const schemas = eventDataSchemas();
const validators = new Map<string, ValidateFunction>();

function validatorOf(schema: JsonSchema, key: string): ValidateFunction {
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
}

const schemaAccepts = (definition: EventDefinition, data: unknown) =>
  validatorOf(schemas[definition.type], definition.type)(data);

const dtoAccepts = (definition: EventDefinition, data: object) =>
  validateSync(plainToInstance(definition.data, data), { whitelist: true, forbidUnknownValues: true })
    .length === 0;

const propertiesOf = (schema: JsonSchema) => schema.properties as Record<string, JsonSchema>;

function collect(value: unknown, key: string, into: unknown[] = []): unknown[] {
  if (Array.isArray(value)) value.forEach((v) => collect(v, key, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (k === key) into.push(v);
      collect(v, key, into);
    }
  }
  return into;
}

describe('eventDataSchemas', () => {
  it('should give every registry event a draft-07 object schema keyed by its CloudEvents type', () => {
    expect(Object.keys(schemas)).toEqual(entries.map(([, e]) => e.type));
    for (const [, definition] of entries) {
      const schema = schemas[definition.type];

      expect(schema.$schema).toBe(JSON_SCHEMA_DIALECT);
      expect(schema.type).toBe('object');
      expect(schema.title).toBe(definition.data.name);
      expect(Object.keys(propertiesOf(schema)).length).toBeGreaterThan(0);
    }
  });

  it('should require exactly the properties that are not @IsOptional', () => {
    for (const [, definition] of entries) {
      const metadata = getMetadataStorage().getTargetValidationMetadatas(definition.data, '', true, false);
      const optional = new Set(
        metadata.filter((m) => m.type === ValidationTypes.CONDITIONAL_VALIDATION).map((m) => m.propertyName),
      );
      const all = [...new Set(metadata.map((m) => m.propertyName))];

      expect(Object.keys(propertiesOf(schemas[definition.type]))).toEqual(all);
      expect(schemas[definition.type].required).toEqual(all.filter((p) => !optional.has(p)));
    }
  });

  it('should keep the constraints of the composite decorators of referral.assessed', () => {
    const properties = propertiesOf(schemas[EVENTS.referralAssessed.type]);

    expect(properties.riskLevel).toEqual({ type: 'integer', minimum: 0, maximum: 5 });
    expect(properties.conditionStatus).toEqual({ type: 'string', enum: [...CONDITION_STATUSES] });
    expect(properties.colourGrade).toEqual({ type: 'string', enum: [...COLOUR_GRADES] });
    expect(properties.rehabNeeds).toEqual({
      type: 'array',
      items: { type: 'string', enum: [...REHAB_SERVICES] },
      maxItems: REHAB_SERVICES.length,
      uniqueItems: true,
    });
    expect(properties.hospitalId).toEqual({
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
      minLength: 1,
      maxLength: 64,
    });
    expect(properties.referralId).toEqual({ type: 'string', format: 'uuid' });
    expect(properties.assessedAt).toEqual({ type: 'string', format: 'date-time' });
    expect(properties.eligibleForCommunityRehab).toEqual({ type: 'boolean' });
  });

  it('should keep integer bounds whatever the decorator order', () => {
    expect(propertiesOf(schemas[EVENTS.referralAssigned.type]).hop).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 100,
    });
    expect(propertiesOf(schemas[EVENTS.greenRelapseReported.type]).observedRiskLevel).toEqual({
      type: 'integer',
      minimum: 0,
      maximum: 5,
    });
    expect(propertiesOf(schemas[EVENTS.deadLetterRecorded.type]).streamSequence).toEqual({
      type: 'integer',
      minimum: 0,
    });
  });

  it('should resolve the nested sealed field into self-contained definitions', () => {
    const schema = schemas[EVENTS.referralDischarged.type];
    const sealed = (schema.definitions as Record<string, JsonSchema>).EncryptedFieldDto;

    expect(propertiesOf(schema).sealedPatient).toEqual({ $ref: '#/definitions/EncryptedFieldDto' });
    expect(schema.required).not.toContain('sealedPatient');
    expect(sealed.required).toEqual(['alg', 'keyId', 'iv', 'tag', 'ciphertext']);
    expect(propertiesOf(sealed).alg).toEqual({ type: 'string', enum: ['A256GCM'] });
    expect(propertiesOf(sealed).iv).toMatchObject({
      pattern: '^[A-Za-z0-9_-]*$',
      minLength: 16,
      maxLength: 16,
    });
  });

  it('should leave every object open to fields added later', () => {
    for (const schema of Object.values(schemas)) {
      expect(collect(schema, 'additionalProperties')).toEqual([]);
    }
  });

  it('should refer to nested DTOs under the given prefix without embedding them', () => {
    const schema = eventDataSchemas({ refPointerPrefix: COMPONENTS_REF_PREFIX })[
      EVENTS.referralDischarged.type
    ];

    expect(propertiesOf(schema).sealedPatient).toEqual({ $ref: '#/components/schemas/EncryptedFieldDto' });
    expect(schema.definitions).toBeUndefined();
    expect(schema.$schema).toBeUndefined();
    expect(Object.keys(dtoSchemas())).toEqual(
      [
        ...entries.map(([, e]) => dataSchemaName(e)),
        'ConsentGrantDto',
        'EncryptedFieldDto',
        'ValidConsentDto',
      ].sort(),
    );
  });

  it('should compile every schema with Ajv in strict mode', () => {
    for (const [, definition] of entries) {
      expect(() => validatorOf(schemas[definition.type], definition.type)).not.toThrow();
    }
  });

  it.each(entries)('should accept the valid sample of %s, as the DTO does', (key, definition) => {
    expect(dtoAccepts(definition, VALID[key])).toBe(true);
    expect(schemaAccepts(definition, VALID[key])).toBe(true);
    expect(schemaAccepts(definition, { ...VALID[key], addedInAFutureVersion: 'x' })).toBe(true);
  });

  const assessed = EVENTS.referralAssessed;
  const sample = VALID.referralAssessed;
  const { assessedAt: _dropped, ...withoutAssessedAt } = sample;
  const invalid: [string, EventDefinition, Record<string, unknown>][] = [
    ['risk level above 5', assessed, { ...sample, riskLevel: 6 }],
    ['risk level below 0', assessed, { ...sample, riskLevel: -1 }],
    ['fractional risk level', assessed, { ...sample, riskLevel: 2.5 }],
    ['unknown condition status', assessed, { ...sample, conditionStatus: 'fine' }],
    ['duplicate rehab need', assessed, { ...sample, rehabNeeds: ['day-care', 'day-care'] }],
    ['unknown rehab need', assessed, { ...sample, rehabNeeds: ['yoga'] }],
    ['missing assessedAt', assessed, withoutAssessedAt],
    ['timestamp that is not a date-time', assessed, { ...sample, assessedAt: 'yesterday' }],
    ['referral id that is not a UUID', assessed, { ...sample, referralId: 'R-1' }],
    ['hospital id with a space', assessed, { ...sample, hospitalId: 'HOSP 1' }],
    ['string where a boolean belongs', assessed, { ...sample, employmentInterest: 'no' }],
    ['hop 0', EVENTS.referralAssigned, { ...VALID.referralAssigned, hop: 0 }],
    [
      '5-digit division code',
      EVENTS.referralRegistered,
      { ...VALID.referralRegistered, residenceDivisionCode: '33010' },
    ],
    [
      'sealed iv outside base64url',
      EVENTS.referralDischarged,
      {
        ...VALID.referralDischarged,
        sealedPatient: { ...(VALID.referralDischarged.sealedPatient as object), iv: 'AAECAwQFBgcICQo+' },
      },
    ],
    ['lower-case alert code', EVENTS.opsAlertRaised, { ...VALID.opsAlertRaised, code: 'dead_letter' }],
  ];

  it.each(invalid)('should reject a %s, as the DTO does', (_name, definition, data) => {
    expect(dtoAccepts(definition, data)).toBe(false);
    expect(schemaAccepts(definition, data)).toBe(false);
  });
});

describe('envelopeSchema', () => {
  const type = EVENTS.referralAssessed.type;
  const envelope = {
    specversion: '1.0',
    id: '5c8e2f1a-0d3b-4e7c-9a6f-2b1c3d4e5f60',
    source: '/hospital-intake',
    type,
    subject: REFERRAL_ID,
    time: AT,
    datacontenttype: 'application/json',
    correlationid: '5c8e2f1a-0d3b-4e7c-9a6f-2b1c3d4e5f60',
    data: VALID.referralAssessed,
  };
  const validate = () => validatorOf(envelopeSchema(type), `envelope:${type}`);

  it('should accept a structured-mode CloudEvent of the type with a valid data', () => {
    expect(validate()(envelope)).toBe(true);
  });

  it.each([
    ['another type', { ...envelope, type: EVENTS.referralClosed.type }],
    ['another producer', { ...envelope, source: '/rehab-site' }],
    ['specversion 0.3', { ...envelope, specversion: '0.3' }],
    ['no correlationid', { ...envelope, correlationid: undefined }],
    ['no id', { ...envelope, id: undefined }],
    ['an invalid data', { ...envelope, data: { ...VALID.referralAssessed, riskLevel: 9 } }],
  ])('should reject an envelope with %s', (_name, candidate) => {
    expect(validate()(JSON.parse(JSON.stringify(candidate)))).toBe(false);
  });

  it('should let any service publish the shared operational records', () => {
    const source = propertiesOf(envelopeSchema(EVENTS.opsAlertRaised.type)).source;

    expect((source.enum as string[]).length).toBeGreaterThan(1);
  });

  it('should refer to the data schema by class name under a components prefix', () => {
    const schema = envelopeSchema(type, { refPointerPrefix: COMPONENTS_REF_PREFIX });

    expect(propertiesOf(schema).data).toEqual({ $ref: '#/components/schemas/ReferralAssessedData' });
    expect(schema.definitions).toBeUndefined();
  });

  it('should refuse an unknown event type', () => {
    expect(() => envelopeSchema('cn.referralbus.referral.unknown.v1')).toThrow(/No event of type/);
  });
});
