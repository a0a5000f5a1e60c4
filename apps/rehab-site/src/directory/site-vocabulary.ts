/** Levels of the site network: one list, shared with the events that carry a site's level. */
export { SITE_LEVELS, type SiteLevel } from '@app/contracts';

/** What a county centre does (评估转介 / 培训督导 / 服务示范). */
export const COUNTY_CENTRE_FUNCTIONS = [
  'assessment-referral',
  'training-supervision',
  'service-demonstration',
] as const;
export type CountyCentreFunction = (typeof COUNTY_CENTRE_FUNCTIONS)[number];
