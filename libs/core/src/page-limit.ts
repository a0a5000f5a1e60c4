import { DomainException } from './domain.exception';

/**
 * The page size of a list: the requested `limit`, or `preferred` (at most `max`) when none was asked for. A
 * limit above the service's maximum is a 400 (VALIDATION_FAILED on #/limit), never a silently shorter page.
 */
export function pageLimit(requested: number | undefined, max: number, preferred = 20): number {
  if (requested !== undefined && requested > max) {
    throw new DomainException('VALIDATION_FAILED', 'invalid', 'The request is not valid', {
      errors: [{ pointer: '#/limit', detail: `limit must not be greater than ${max}` }],
    });
  }
  return requested ?? Math.min(preferred, max);
}
