import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import type { ValidatorOptions } from 'class-validator';
import { validateCompiled } from '@app/contracts';
import { DomainException, FieldError } from './domain.exception';
import { inputProblem } from './input-limits';

function toFieldErrors(errors: ValidationError[], prefix = '#'): FieldError[] {
  return errors.flatMap((error) => {
    const pointer = `${prefix}/${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([rule, detail]) => ({
      pointer,
      detail: rule === 'whitelistValidation' ? `${error.property} is not a known field` : detail,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], pointer)];
  });
}

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
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fieldErrors = toFieldErrors(errors);
      return new DomainException('VALIDATION_FAILED', 'invalid', 'The request is not valid', {
        errors: fieldErrors,
      });
    },
  });
}
