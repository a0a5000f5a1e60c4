/**
 * JSON Schemas (draft-07) of the bus's events, generated from the class-validator DTOs in the registry so the
 * documented contract cannot drift from the validation the services run.
 *
 * Draft-07 because AsyncAPI 3.0's default schema format (the AsyncAPI Schema Object) is a superset of it and
 * Ajv's default class speaks it; nested DTOs are `$ref`s to `#/definitions/<Class>` in self-contained schemas
 * and to `#/components/schemas/<Class>` inside the AsyncAPI document.
 *
 * Unknown properties are allowed on purpose (no `additionalProperties: false`): consumers tolerate fields a
 * newer producer adds, and the DTO validation strips them.
 */
import { getMetadataStorage, IS_BASE64, IS_ISO8601, MAX, MIN } from 'class-validator';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import type * as ClassTransformerStorage from 'class-transformer/types/storage';
import { EventDefinition, EVENTS, SHARED_EVENTS } from './events';
import { SERVICE_NAMES } from './services';
import { IS_RFC3339_DATE_TIME } from './validation';

// class-transformer ships no typings next to its CommonJS build; its `@Type` metadata (needed to resolve nested
// DTOs) lives in this module instance, as the class-validator-jsonschema README shows.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof ClassTransformerStorage;

export type JsonSchema = { [keyword: string]: unknown };

export const JSON_SCHEMA_DIALECT = 'http://json-schema.org/draft-07/schema#';
/** Nested DTOs of a self-contained schema (one file per event). */
export const DEFINITIONS_REF_PREFIX = '#/definitions/';
/** Nested DTOs inside an AsyncAPI document. */
export const COMPONENTS_REF_PREFIX = '#/components/schemas/';

export interface SchemaOptions {
  /**
   * Where nested DTO schemas are referenced. With the default (`#/definitions/`) every schema is self-contained
   * and carries its own `$schema` and `definitions`; with any other prefix the caller places `dtoSchemas(prefix)`
   * at that location (e.g. AsyncAPI `components.schemas`).
   */
  readonly refPointerPrefix?: string;
}

type ConverterOptions = NonNullable<Parameters<typeof validationMetadatasToSchemas>[0]>;
type Converters = NonNullable<ConverterOptions['additionalConverters']>;

/**
 * Where the library's default conversion is wrong or lossy for these DTOs:
 * - `@Min`/`@Max` set `type: number`, and lodash-merging in decorator order lets that override `@IsInt`'s
 *   `integer` whenever `@IsInt` runs first, as inside `applyDecorators(IsInt(), Min(), Max())` (IsRiskLevel);
 *   the bound alone is emitted here and the type is completed afterwards.
 * - `@IsISO8601` becomes `oneOf: [date, date-time]`, which fails for every string when formats are not
 *   asserted (both branches match). Our timestamps (IsTimestamp's own rule) are RFC 3339 date-times.
 * - `@IsBase64` becomes `format: base64`, which is no JSON Schema format (Ajv rejects unknown formats); the
 *   alphabet validator.js checks is spelled as a pattern instead.
 */
const CONVERTERS: Converters = {
  [MIN]: (meta) => ({ minimum: meta.constraints[0] as number }),
  [MAX]: (meta) => ({ maximum: meta.constraints[0] as number }),
  [IS_ISO8601]: { type: 'string', format: 'date-time' },
  [IS_RFC3339_DATE_TIME]: { type: 'string', format: 'date-time' },
  [IS_BASE64]: (meta) => {
    const options = (meta.constraints[0] ?? {}) as { urlSafe?: boolean; padding?: boolean };
    const urlSafe = options.urlSafe === true;
    const padding = options.padding ?? !urlSafe;
    const alphabet = urlSafe ? 'A-Za-z0-9_-' : 'A-Za-z0-9+/';
    return {
      type: 'string',
      contentEncoding: urlSafe ? 'base64url' : 'base64',
      pattern: padding
        ? `^(?:[${alphabet}]{4})*(?:[${alphabet}]{2}==|[${alphabet}]{3}=)?$`
        : `^[${alphabet}]*$`,
    };
  },
};

/** Keyword order of the emitted schemas, so that generated files read naturally and never reorder. */
const KEYWORD_ORDER = [
  '$schema',
  '$id',
  '$ref',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'format',
  'contentEncoding',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'multipleOf',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'definitions',
];
const NUMERIC_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keywordRank(key: string): number {
  const index = KEYWORD_ORDER.indexOf(key);
  return index === -1 ? KEYWORD_ORDER.length : index;
}

function sortedKeys(map: JsonSchema): JsonSchema {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((k) => [k, map[k]]),
  );
}

/**
 * Normalises a generated schema: completes the `type` of bare numeric bounds, orders keywords, sorts
 * `definitions`, and keeps `properties` in declaration order (the DTO's). Returns a new object.
 */
export function canonicalSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  const keys = Object.keys(schema).sort((a, b) => keywordRank(a) - keywordRank(b) || a.localeCompare(b));
  for (const key of keys) {
    const value = schema[key];
    if ((key === 'properties' || key === 'definitions') && isObject(value)) {
      const children = key === 'definitions' ? sortedKeys(value) : value;
      out[key] = Object.fromEntries(
        Object.entries(children).map(([name, child]) => [
          name,
          isObject(child) ? canonicalSchema(child) : child,
        ]),
      );
    } else if (['items', 'additionalProperties', 'not'].includes(key) && isObject(value)) {
      out[key] = canonicalSchema(value);
    } else if (['oneOf', 'anyOf', 'allOf'].includes(key) && Array.isArray(value)) {
      out[key] = value.map((child: unknown) => (isObject(child) ? canonicalSchema(child) : child));
    } else {
      out[key] = value;
    }
  }
  if (out.type === undefined && out.$ref === undefined && NUMERIC_KEYWORDS.some((k) => k in out)) {
    return canonicalSchema({ ...out, type: 'number' });
  }
  return out;
}

const cache = new Map<string, Record<string, JsonSchema>>();

type DtoClass = new () => object;

/** The DTO classes the registry refers to. */
function registryClasses(): DtoClass[] {
  return [...new Set(Object.values(EVENTS).map((e: EventDefinition): DtoClass => e.data))];
}

/** Names of the DTOs a schema refers to with `prefix`, transitively through `all`. */
function referencedNames(
  schema: unknown,
  prefix: string,
  all: Record<string, JsonSchema>,
  into = new Set<string>(),
) {
  if (Array.isArray(schema)) {
    for (const item of schema) referencedNames(item, prefix, all, into);
  } else if (isObject(schema)) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(prefix)) {
        const name = value.slice(prefix.length);
        if (!into.has(name)) {
          into.add(name);
          referencedNames(all[name], prefix, all, into);
        }
      } else {
        referencedNames(value, prefix, all, into);
      }
    }
  }
  return into;
}

/**
 * Schemas of every DTO reachable from the registry (event data and nested DTOs), keyed by class name, nested
 * DTOs as `$ref`s with `refPointerPrefix`. Sorted by name.
 */
export function dtoSchemas(refPointerPrefix: string = COMPONENTS_REF_PREFIX): Record<string, JsonSchema> {
  let schemas = cache.get(refPointerPrefix);
  if (!schemas) {
    const all = validationMetadatasToSchemas({
      refPointerPrefix,
      classTransformerMetadataStorage: defaultMetadataStorage,
      additionalConverters: CONVERTERS,
    }) as Record<string, JsonSchema>;
    const names = new Set<string>();
    for (const cls of registryClasses()) {
      names.add(cls.name);
      referencedNames(all[cls.name], refPointerPrefix, all, names);
    }
    schemas = {};
    for (const name of [...names].sort()) {
      const schema = all[name];
      if (!schema)
        throw new Error(`No JSON Schema for DTO ${name}: does it have class-validator decorators?`);
      schemas[name] = canonicalSchema(schema);
    }
    assertNoNameClash(schemas);
    cache.set(refPointerPrefix, schemas);
  }
  return structuredClone(schemas);
}

/**
 * The converter groups metadata by class name across the whole process: two validated classes with one name
 * would be merged into one schema. Each registry DTO's schema must have exactly its own validated properties.
 */
function assertNoNameClash(schemas: Record<string, JsonSchema>): void {
  for (const cls of registryClasses()) {
    const own = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(cls, '', true, false)
        .map((m) => m.propertyName),
    );
    const generated = Object.keys((schemas[cls.name]?.properties as JsonSchema | undefined) ?? {});
    if (generated.length !== own.size || generated.some((p) => !own.has(p))) {
      throw new Error(
        `JSON Schema of ${cls.name} does not match the class: another validated class has its name`,
      );
    }
  }
}

function definitionOf(eventType: string): EventDefinition {
  const definition = Object.values(EVENTS).find((e: EventDefinition) => e.type === eventType);
  if (!definition) throw new Error(`No event of type ${eventType} in the registry`);
  return definition;
}

/** Name of the schema of an event's `data` (its DTO class name). */
export function dataSchemaName(definition: EventDefinition): string {
  return definition.data.name;
}

/** Adds `$schema` and the `definitions` a self-contained schema refers to. */
function selfContained(schema: JsonSchema): JsonSchema {
  const all = dtoSchemas(DEFINITIONS_REF_PREFIX);
  const names = [...referencedNames(schema, DEFINITIONS_REF_PREFIX, all)].sort();
  return canonicalSchema({
    $schema: JSON_SCHEMA_DIALECT,
    ...schema,
    ...(names.length > 0 ? { definitions: Object.fromEntries(names.map((n) => [n, all[n]])) } : {}),
  });
}

function dataSchemaOf(definition: EventDefinition, refPointerPrefix: string): JsonSchema {
  return canonicalSchema({
    title: dataSchemaName(definition),
    description: `\`data\` of ${definition.type}: ${definition.description}`,
    ...dtoSchemas(refPointerPrefix)[dataSchemaName(definition)],
  });
}

/**
 * JSON Schema (draft-07) of the `data` of every registry event, keyed by CloudEvents `type`, in registry order.
 * Self-contained by default; see `SchemaOptions`.
 */
export function eventDataSchemas(options: SchemaOptions = {}): Record<string, JsonSchema> {
  const prefix = options.refPointerPrefix ?? DEFINITIONS_REF_PREFIX;
  return Object.fromEntries(
    Object.values(EVENTS).map((definition: EventDefinition) => {
      const schema = dataSchemaOf(definition, prefix);
      return [definition.type, prefix === DEFINITIONS_REF_PREFIX ? selfContained(schema) : schema];
    }),
  );
}

/**
 * JSON Schema (draft-07) of the whole structured-mode CloudEvent of `eventType` as it travels in the NATS body.
 * `data` is the event's schema inline (self-contained, the default) or a `$ref` to `<prefix><DtoClass>`.
 */
export function envelopeSchema(eventType: string, options: SchemaOptions = {}): JsonSchema {
  const definition = definitionOf(eventType);
  const prefix = options.refPointerPrefix ?? DEFINITIONS_REF_PREFIX;
  const producers = SHARED_EVENTS.includes(definition) ? SERVICE_NAMES : [definition.producer];
  const nonEmpty = (description: string): JsonSchema => ({ type: 'string', minLength: 1, description });
  const data =
    prefix === DEFINITIONS_REF_PREFIX
      ? dataSchemaOf(definition, prefix)
      : { $ref: `${prefix}${dataSchemaName(definition)}` };
  const schema: JsonSchema = {
    title: `CloudEvent ${definition.type}`,
    description: `${definition.description} CloudEvents 1.0, structured mode.`,
    type: 'object',
    properties: {
      specversion: { type: 'string', const: '1.0' },
      id: nonEmpty('Unique event id; also the Nats-Msg-Id header and the inbox de-duplication key.'),
      source: {
        type: 'string',
        enum: producers.map((service) => `/${service}`),
        description: 'The publishing service.',
      },
      type: { type: 'string', const: definition.type },
      subject: nonEmpty('The referral id the event is about (never PII).'),
      time: { type: 'string', format: 'date-time', description: 'When the event happened (RFC 3339).' },
      datacontenttype: { type: 'string', const: 'application/json' },
      dataschema: { type: 'string', format: 'uri' },
      correlationid: nonEmpty('Id of the business flow; the first event of a flow uses its own id.'),
      causationid: nonEmpty('Id of the event (or request) that caused this one.'),
      data,
    },
    required: ['specversion', 'id', 'source', 'type', 'time', 'datacontenttype', 'correlationid', 'data'],
  };
  return prefix === DEFINITIONS_REF_PREFIX ? selfContained(schema) : canonicalSchema(schema);
}
