import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException, FieldError } from './domain.exception';

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

/** Whitelisted DTOs: unknown fields are refused (400 VALIDATION_FAILED with one entry per field). */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
