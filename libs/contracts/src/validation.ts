import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
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
import { DIVISION_CODE_PATTERN, RISK_LEVELS } from './vocabulary';

/** Composite decorators so every DTO spells the same rule the same way. */
export const IsReferralId = () => IsUUID('all', { message: '$property must be a UUID' });

const TIMESTAMP_MESSAGE = '$property must be an RFC 3339 timestamp';

/**
 * ISO 8601 forms a Date cannot read: week and ordinal dates (`2026-W01`, `2026-123`), the basic format
 * (`20260101`), an hour without minutes, a comma fraction; and a signed year, which it misreads (`-2026` as 2026).
 * Refused, or `new Date()` made them Invalid Date and the service failed on them (500) or sent them to Postgres.
 */
const readsAsDate = (value: unknown, options: { strictSeparator: boolean }) =>
  !isISO8601(value, { strict: true, strictSeparator: options.strictSeparator }) ||
  (/^\d{4}/.test(value as string) && !Number.isNaN(Date.parse(value as string)));

/**
 * A timestamp: strict ISO 8601 (a real calendar date) that a Date reads as written. `spaceSeparator`: a space
 * may stand for the `T` (RFC 3339 allows it; for the values of other systems, such as a gateway's receipt).
 */
export const IsTimestamp = (options: { spaceSeparator?: boolean } = {}) => {
  const strictSeparator = !options.spaceSeparator;
  return applyDecorators(
    IsISO8601({ strict: true, strictSeparator }, { message: TIMESTAMP_MESSAGE }),
    // Only judges what IsISO8601 accepted (one error per bad value); a named rule, so the JSON schemas keep
    // IsISO8601's `format: date-time` alone.
    ValidateBy({
      name: 'isReadableTimestamp',
      validator: {
        validate: (value: unknown) => readsAsDate(value, { strictSeparator }),
        defaultMessage: () => TIMESTAMP_MESSAGE,
      },
    }),
  );
};

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
