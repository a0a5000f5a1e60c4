/** Levels of the site network (DESIGN §4 routing order: station → street/township site → county centre). */
export const SITE_LEVELS = ['community-station', 'street-site', 'county-centre'] as const;
export type SiteLevel = (typeof SITE_LEVELS)[number];

/** What a county centre does (评估转介 / 培训督导 / 服务示范). */
export const COUNTY_CENTRE_FUNCTIONS = [
  'assessment-referral',
  'training-supervision',
  'service-demonstration',
] as const;
export type CountyCentreFunction = (typeof COUNTY_CENTRE_FUNCTIONS)[number];
