import { applyDecorators } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
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

export const IsTimestamp = () =>
  IsISO8601({ strict: true, strictSeparator: true }, { message: '$property must be an RFC 3339 timestamp' });

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
