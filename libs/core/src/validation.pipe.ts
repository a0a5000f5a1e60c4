import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { validateCompiled } from '@app/contracts';
import { DomainException, FieldError } from './domain.exception';
import { inputProblem } from './input-limits';

/** A class-validator rule's name as an error code: `isNotEmpty` → `IS_NOT_EMPTY`; an unknown field is `UNKNOWN_FIELD`. */
export function ruleCode(rule: string): string {
  if (rule === 'whitelistValidation') return 'UNKNOWN_FIELD';
  return rule
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

/**
 * One entry per invalid field (the pipe stops at a field's first broken rule), pointed at the field, with the
 * rule as its code. A required field that is simply absent gets one entry saying so (`REQUIRED`), not the first
 * rule it would have had to meet.
 */
export function toFieldErrors(errors: ValidationError[], prefix = '#'): FieldError[] {
  return errors.flatMap((error) => {
    const pointer = `${prefix}/${error.property}`;
    if ((error.value === undefined || error.value === null) && error.constraints) {
      return [{ pointer, code: 'REQUIRED', detail: `${error.property} is required` }];
    }
    const own = Object.entries(error.constraints ?? {}).map(([rule, detail]) => ({
      pointer,
      code: ruleCode(rule),
      detail: rule === 'whitelistValidation' ? `${error.property} is not a known field` : detail,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], pointer)];
  });
}

/**
 * What every boundary validates with: unknown fields refused, and one error a field, its first failed rule (a
 * missing string was "must be a string" and "must be 1–200 long" besides).
 */
export const BOUNDARY_VALIDATOR_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  stopAtFirstError: true,
} as const;

/** The one entry for a body (or a channel's command) that is not a JSON object: an array, a string, a number. */
export function notAnObject(what = 'the body'): FieldError {
  return { pointer: '#', code: 'NOT_AN_OBJECT', detail: `${what} must be a JSON object` };
}

const NOT_DTOS: unknown[] = [Object, Array, String, Number, Boolean];
const isDtoClass = (type: unknown): boolean => typeof type === 'function' && !NOT_DTOS.includes(type);
const isJsonObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Before any DTO is built: bodies, query strings and path parameters (and message payloads) with a NUL
 * character anywhere (400 NUL_CHARACTER: Postgres cannot store it) or nested deeper than JSON_DEPTH_MAX
 * (400 JSON_TOO_DEEP: class-transformer recurses) are refused, whatever the parameter's type.
 */
class BoundaryValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const base = metadata.type === 'body' ? '#' : `#/${metadata.type}`;
      const problem = inputProblem(value, metadata.data ? `${base}/${metadata.data}` : base);
      if (problem) throw problem;
    }
    if (
      metadata.type === 'body' &&
      !metadata.data &&
      isDtoClass(metadata.metatype) &&
      value !== undefined &&
      value !== null &&
      !isJsonObject(value)
    ) {
      // A DTO is a JSON object: `[1, 2]` gave an UNKNOWN_FIELD per element and a REQUIRED per field. (No body
      // at all stays an empty one, as Nest reads it.)
      throw new DomainException('VALIDATION_FAILED', 'invalid', 'The request is not valid', {
        errors: [notAnObject()],
      });
    }
    return (await super.transform(value, metadata)) as unknown;
  }

  /** class-validator's verdict through the DTO's compiled plan (issue #22), the same errors when it fails. */
  protected override validate(object: object, options?: ValidatorOptions): Promise<ValidationError[]> {
    return validateCompiled(object, options);
  }
}

/**
 * Whitelisted DTOs: unknown fields are refused (400 VALIDATION_FAILED with one entry per field); NUL
 * characters and JSON nested too deep are refused first (BoundaryValidationPipe).
 */
export function createValidationPipe(): ValidationPipe {
  return new BoundaryValidationPipe({
    ...BOUNDARY_VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = toFieldErrors(errors);
      return new DomainException('VALIDATION_FAILED', 'invalid', 'The request is not valid', {
        errors: fieldErrors,
      });
    },
  });
}
