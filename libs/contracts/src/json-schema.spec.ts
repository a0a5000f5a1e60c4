import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationTypes, validateSync } from 'class-validator';
import {
  SAMPLE_AT as AT,
  SAMPLE_REFERRAL_ID as REFERRAL_ID,
  VALID_EVENT_DATA as VALID,
} from '@app/testing/event-samples';
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
