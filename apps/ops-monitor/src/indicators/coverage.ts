import { DivisionDirectory } from '@app/divisions';

/** Division codes of an area that coverage indicators count over. */
export interface CoverageDenominators {
  readonly counties: string[];
  /** 街道 (townships named …街道). */
  readonly streets: string[];
  /** 乡镇: towns (…镇) and townships (…乡, …苏木). */
  readonly townships: string[];
  /** Urban communities: residents' committees (…居委会 / …居民委员会, or a bare …社区). */
  readonly urbanCommunities: string[];
}

export type TownshipKind = 'street' | 'town' | 'township' | 'other';
export type CommitteeKind = 'urban' | 'rural' | 'other';

/** 街道 / 镇 / 乡 by the name's suffix (GB/T 2260 township names end with their kind). */
export function townshipKind(name: string): TownshipKind {
  if (name.endsWith('街道') || name.endsWith('街道办事处')) return 'street';
  if (name.endsWith('镇')) return 'town';
  if (name.endsWith('乡') || name.endsWith('苏木')) return 'township';
  return 'other';
}

/**
 * Residents' committees (居民委员会, the package writes 居委会) are urban communities; villagers' committees
 * (村民委员会 / 村委会) are rural, even when named …社区村委会. A bare …社区 counts as urban.
 */
export function committeeKind(name: string): CommitteeKind {
  if (/(居委会|居民委员会)$/.test(name)) return 'urban';
  if (/(村委会|村民委员会)$/.test(name)) return 'rural';
  if (name.endsWith('社区')) return 'urban';
  return 'other';
}

/** The denominators of an area (2-digit province, 4-digit prefecture or 6-digit county code). */
export async function coverageDenominators(
  divisions: DivisionDirectory,
  area: string,
): Promise<CoverageDenominators> {
  const counties = divisions.countiesOf(area).map((c) => c.code);
  const townships = counties.flatMap((county) => divisions.townshipsOf(county));
  const committees = await DivisionDirectory.villagesUnder(area);
  return {
    counties,
    streets: townships.filter((t) => townshipKind(t.name!) === 'street').map((t) => t.code),
    townships: townships
      .filter((t) => ['town', 'township'].includes(townshipKind(t.name!)))
      .map((t) => t.code),
    urbanCommunities: committees.filter((c) => committeeKind(c.name) === 'urban').map((c) => c.code),
  };
}
