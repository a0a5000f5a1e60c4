import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  isISO8601,
  isObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { DIVISION_CODE_PATTERN, LOCAL_UTC_OFFSET, RISK_LEVELS } from './vocabulary';

/** The name of IsTimestamp's rule (the JSON schemas map it to `format: date-time`). */
export const IS_RFC3339_DATE_TIME = 'isRfc3339DateTime';

/** Composite decorators so every DTO spells the same rule the same way. */
export const IsReferralId = () => IsUUID('all', { message: '$property must be a UUID' });

/** An RFC 3339 date-time (seconds and fraction optional) with its offset. */
const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$/;
/** `2026-11-20 10:30:00…`: the space RFC 3339 allows for the T, as SMS gateways and HIS exports write it. */
const SPACE_SEPARATED = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})/;

/**
 * A time as sent, made explicit: a space separator becomes the T, and a date-time without an offset, or a bare
 * date (its start), is China Standard Time, as HL7 v2 times are. JavaScript would read the first in the server's
 * own zone and the second as UTC, so `2026-12-01T09:00:00` from a Beijing hospital was stored as 17:00 its time.
 */
export function withLocalOffset(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const time = value.replace(SPACE_SEPARATED, '$1T$2');
  if (!LOCAL_DATE_TIME.test(time)) return time;
  return time.length === 10 ? `${time}T00:00:00${LOCAL_UTC_OFFSET}` : `${time}${LOCAL_UTC_OFFSET}`;
}

/**
 * An instant: an RFC 3339 date-time that names a real calendar time (`IsISO8601` alone also takes `2026`,
 * `2026-W49-1`, `2026-340` and `20261201T0900Z`, several of which JavaScript cannot read: an Invalid Date reached
 * the database). A local time or a bare date is read in China Standard Time (`withLocalOffset`).
 */
export const IsTimestamp = () =>
  applyDecorators(
    Transform(({ value }) => withLocalOffset(value)),
    ValidateBy({
      name: IS_RFC3339_DATE_TIME,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          RFC3339_DATE_TIME.test(value) &&
          // validator.js for the calendar (no 30 February: Date.parse rolls it over to March).
          isISO8601(value, { strict: true, strictSeparator: true }) &&
          !Number.isNaN(Date.parse(value)),
        defaultMessage: () =>
          '$property must be an RFC 3339 date-time such as 2026-12-01T09:00:00+08:00 (without an offset it is read as China Standard Time)',
      },
    }),
  );

export const IsOrgId = () =>
  applyDecorators(
    IsString(),
    Length(1, 64),
    Matches(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { message: '$property must be letters, digits, "-" or "_"' }),
  );

export const IsDivisionCode = () =>
  applyDecorators(
    IsString(),
    Matches(DIVISION_CODE_PATTERN, {
      message: '$property must be a 6, 9 or 12 digit administrative division code',
    }),
  );

export const IsRiskLevel = () =>
  applyDecorators(IsInt(), Min(RISK_LEVELS[0]), Max(RISK_LEVELS[RISK_LEVELS.length - 1]));

export const IsOneOf = (values: readonly (string | number)[]) =>
  IsIn(values as (string | number)[], { message: `$property must be one of: ${values.join(', ')}` });

/** A phone number as the contracts carry it: 5 to 20 digits or "-", optionally after a leading "+". */
export const PHONE_NUMBER_PATTERN = /^\+?[0-9-]{5,20}$/;

export const IsPhoneNumber = () =>
  Matches(PHONE_NUMBER_PATTERN, {
    message:
      '$property must be a phone number of 5 to 20 digits or "-", optionally after a leading "+", such as 0915-3212345 or 13912345678',
  });

/**
 * A phone number as hospital systems write it in HL7 and FHIR ("(555) 555-2004", "+86 139 1234 5678",
 * "0915.3212345") in the contracts' form: parentheses dropped, spaces and dots as "-". Text that does not become a
 * phone number that way is returned unchanged, so validation names it as it was sent.
 */
export function phoneNumberOf(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  const normalised = trimmed
    .replace(/\(([0-9]+)\)\s*/g, '$1-')
    .replace(/[\s.]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^(\+?)-/, '$1');
  return PHONE_NUMBER_PATTERN.test(normalised) ? normalised : trimmed;
}

export const IsListOf = (values: readonly string[], max = values.length) =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(max),
    ArrayUnique(),
    IsIn(values as string[], {
      each: true,
      message: `each of $property must be one of: ${values.join(', ')}`,
    }),
  );

const isJsonObject = (value: unknown) => isObject(value) && !Array.isArray(value);

/**
 * A nested DTO: required (present, a JSON object, not null) unless the property is also `@IsOptional()`, and
 * validated in depth. ValidateNested alone lets a missing object through (issue 14: a discharge without
 * `patient` reached the service and failed with 500).
 */
export const IsNested = (type: () => new () => object) =>
  applyDecorators(
    // A named custom rule rather than IsObject: the JSON schemas keep a bare $ref (required-ness comes from
    // the absence of @IsOptional there too).
    ValidateBy({
      name: 'isNestedObject',
      validator: {
        validate: isJsonObject,
        defaultMessage: () => '$property is required and must be a JSON object',
      },
    }),
    ValidateNested(),
    Type(type),
  );

/**
 * An array of nested DTOs, at most `max` long, each element a JSON object validated in depth. ValidateNested
 * alone walks into an element that is itself an array and finds nothing wrong with it, so `[[]]` reached the
 * service (a consent with no purpose, answered 500).
 */
export const IsNestedArray = (type: () => new () => object, max: number) =>
  applyDecorators(
    IsArray(),
    ArrayMaxSize(max),
    ValidateBy(
      {
        name: 'isNestedObject',
        validator: {
          validate: isJsonObject,
          defaultMessage: () => 'each of $property must be a JSON object',
        },
      },
      { each: true },
    ),
    ValidateNested({ each: true }),
    Type(type),
  );

export const Optional = () => IsOptional();
