import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateCompiled } from '@app/contracts';
import {
  BOUNDARY_VALIDATOR_OPTIONS,
  DomainException,
  FieldError,
  inputProblem,
  notAnObject,
  toFieldErrors,
} from '@app/core';
import { DischargeAssessmentDto, SubmitDischargeDto } from './dto/submit-discharge.dto';

export const VALIDATION_FAILED = 'VALIDATION_FAILED';

export function validationFailed(errors: FieldError[]): DomainException {
  return new DomainException(VALIDATION_FAILED, 'invalid', 'The discharge is not valid', { errors });
}

/**
 * The same whitelisting validation the HTTP pipe applies, for channels that build the command themselves
 * (FHIR, HL7v2, NATS). Throws VALIDATION_FAILED with one entry per field (JSON pointers into the command).
 */
export function toDischargeCommand(plain: unknown): Promise<SubmitDischargeDto> {
  return validated(SubmitDischargeDto, plain, 'the discharge');
}

/** The same validation for a discharge assessment sent later (FHIR Observations, HL7 ORU^R01). */
export function toAssessmentCommand(plain: unknown): Promise<DischargeAssessmentDto> {
  return validated(DischargeAssessmentDto, plain, 'the assessment');
}

async function validated<T extends object>(type: new () => T, plain: unknown, what: string): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw validationFailed([notAnObject(what)]);
  }
  // The NATS request path has no pipe in front: NUL characters and hostile depth are refused here too.
  const problem = inputProblem(plain);
  if (problem) throw problem;
  const command = plainToInstance(type, plain);
  const errors = await validateCompiled(command, BOUNDARY_VALIDATOR_OPTIONS);
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
