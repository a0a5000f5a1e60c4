/**
 * What kind of failure a domain error is. Each transport maps the kind (never the message) to its own
 * vocabulary: HTTP status + problem+json, or JetStream nak / dead-letter + term.
 */
export const ERROR_KINDS = [
  'invalid', // the input is wrong; repeating it will not help (400 / dead-letter)
  'unprocessable', // well-formed but not acceptable now (422 / dead-letter)
  'not-found', // unknown or not visible to the caller (404 / dead-letter)
  'conflict', // state does not allow it (409 / dead-letter)
  'unauthenticated', // 401
  'forbidden', // authenticated, but this credential or person may not do this (403)
  'rate-limited', // 429
  'unavailable', // a dependency is down; try again (503 / nak with backoff)
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface FieldError {
  /** JSON pointer to the offending field, e.g. `#/patient/idNumber`. */
  pointer: string;
  /**
   * Stable and machine-readable, e.g. `DISCHARGE_IN_FUTURE`, or the DTO rule that failed (`IS_NOT_EMPTY`);
   * without one, the problem's own code is given (problem-details.filter).
   */
  code?: string;
  detail: string;
}

/** A failure the domain knows about: a stable machine-readable `code` plus its kind. */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Whether trying the same operation again later may succeed. */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'rate-limited';
  }
}

/**
 * A refusal for security reasons (an event from the wrong producer, a sealed field moved to another referral):
 * handled like any permanent failure (dead letter, or its HTTP status), and also raised to ops as a security
 * alert.
 */
export class SecurityException extends DomainException {
  constructor(
    code: string,
    message: string,
    details: { [key: string]: unknown } = {},
    kind: ErrorKind = 'unprocessable',
  ) {
    super(code, kind, message, details);
  }
}

export function isDomainException(error: unknown): error is DomainException {
  return error instanceof DomainException;
}

export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${String(value)}`);
}
