import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { ValidationError } from 'class-validator';
import { validateCompiled } from '@app/contracts';
import { DomainException, FieldError, inputProblem } from '@app/core';
import { DischargeAssessmentDto, SubmitDischargeDto } from './dto/submit-discharge.dto';

export const VALIDATION_FAILED = 'VALIDATION_FAILED';

/**
 * One entry per broken rule, pointed at the field. A required field that is simply absent gets one entry saying
 * so, not one per rule it would have had to meet (an HL7 sender without PV1-19 read three ERR lines before).
 */
function toFieldErrors(errors: ValidationError[], prefix = '#'): FieldError[] {
  return errors.flatMap((error) => {
    const pointer = `${prefix}/${error.property}`;
    if ((error.value === undefined || error.value === null) && error.constraints) {
      return [{ pointer, detail: `${error.property} is required` }];
    }
    const own = Object.entries(error.constraints ?? {}).map(([rule, detail]) => ({
      pointer,
      detail: rule === 'whitelistValidation' ? `${error.property} is not a known field` : detail,
    }));
    return [...own, ...toFieldErrors(error.children ?? [], pointer)];
  });
}

export function validationFailed(errors: FieldError[]): DomainException {
  return new DomainException(VALIDATION_FAILED, 'invalid', 'The discharge is not valid', { errors });
}

/**
 * The same whitelisting validation the HTTP pipe applies, for channels that build the command themselves
 * (FHIR, HL7v2, NATS). Throws VALIDATION_FAILED with one entry per field (JSON pointers into the command).
 */
export function toDischargeCommand(plain: unknown): Promise<SubmitDischargeDto> {
  return validated(SubmitDischargeDto, plain);
}

/** The same validation for a discharge assessment sent later (FHIR Observations, HL7 ORU^R01). */
export function toAssessmentCommand(plain: unknown): Promise<DischargeAssessmentDto> {
  return validated(DischargeAssessmentDto, plain);
}

async function validated<T extends object>(type: new () => T, plain: unknown): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw validationFailed([{ pointer: '#', detail: 'the discharge must be a JSON object' }]);
  }
  // The NATS request path has no pipe in front: NUL characters and hostile depth are refused here too.
  const problem = inputProblem(plain);
  if (problem) throw problem;
  const command = plainToInstance(type, plain);
  const errors = await validateCompiled(command, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  if (errors.length > 0) throw validationFailed(toFieldErrors(errors));
  return command;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Fingerprint of a request for Idempotency-Key comparison (channel + canonical command). */
export function requestFingerprint(channel: string, command: SubmitDischargeDto): string {
  return createHash('sha256')
    .update(channel)
    .update('\u0000')
    .update(JSON.stringify(canonical(command)))
    .digest('hex');
}

/** Where a command pointer came from in the channel's own format (longest known prefix), or `fallback`. */
export function sourceOf(pointer: string, sources: ReadonlyMap<string, string>, fallback: string): string {
  let candidate = pointer;
  for (;;) {
    const found = sources.get(candidate);
    if (found) return found;
    const cut = candidate.lastIndexOf('/');
    if (cut <= 0) return fallback;
    candidate = candidate.slice(0, cut);
  }
}
