/** A named division the resolver can choose from. */
export interface NamedDivision {
  readonly code: string;
  readonly name: string;
}

/** The parts of an address as senders give them: names per level and/or one free text. */
export interface AddressParts {
  /** 省（自治区、直辖市） */
  readonly province?: string;
  /**
   * 市（地区、州）, the city slot of the address (HL7 XAD-3, FHIR city). Hospital systems with no county field put
   * the county-level name there instead (汉滨区, 兴平市): a name that is no prefecture is then read as the county.
   */
  readonly prefecture?: string;
  /** 县（区、县级市） */
  readonly county?: string;
  /** 乡（镇、街道） */
  readonly township?: string;
  /** 居（村）委会 */
  readonly committee?: string;
  /** The whole address as one line (e.g. 陕西省安康市汉滨区老城街道西大街社区居委会12号). */
  readonly text?: string;
}

export type AddressLevel = keyof Omit<AddressParts, 'text'>;

export type AddressResolution =
  | { readonly ok: true; readonly code: string; readonly level: AddressLevel }
  | {
      readonly ok: false;
      readonly level: AddressLevel;
      readonly reason: 'unknown' | 'ambiguous';
      readonly detail: string;
    };

/** What the resolver reads from the division data, level by level under a parent code. */
export interface DivisionSource {
  provinces(): NamedDivision[];
  prefecturesOf(provinceCode?: string): NamedDivision[];
  countiesOf(prefixCode: string): NamedDivision[];
  townshipsOf(countyCode: string): NamedDivision[];
  committeesOf(townshipCode: string): Promise<NamedDivision[]>;
}

/** Generic suffixes of Chinese division names, longest first: 汉滨区 → 汉滨, 老城街道办事处 → 老城. */
const SUFFIXES = [
  '社区居民委员会',
  '村民委员会',
  '街道办事处',
  '社区居委会',
  '特别行政区',
  '维吾尔自治区',
  '壮族自治区',
  '回族自治区',
  '自治区',
  '自治州',
  '自治县',
  '居委会',
  '村委会',
  '办事处',
  '街道',
  '社区',
  '地区',
  '省',
  '市',
  '区',
  '县',
  '镇',
  '乡',
  '村',
  '盟',
  '旗',
];

/** The distinctive part of a name (at least two characters kept). */
export function coreName(name: string): string {
  const trimmed = name.replace(/\s+/g, '');
  for (const suffix of SUFFIXES) {
    if (trimmed.endsWith(suffix) && trimmed.length - suffix.length >= 2) {
      return trimmed.slice(0, -suffix.length);
    }
  }
  return trimmed;
}

/** Candidates with exactly the given full name. */
function sameName(candidates: NamedDivision[], given: string): NamedDivision[] {
  const wanted = given.replace(/\s+/g, '');
  return candidates.filter((c) => c.name === wanted);
}

/** Candidates a given name designates: the same full name, else the same core name. */
function byName(candidates: NamedDivision[], given: string): NamedDivision[] {
  const exact = sameName(candidates, given);
  if (exact.length > 0) return exact;
  const core = coreName(given.replace(/\s+/g, ''));
  return candidates.filter((c) => coreName(c.name) === core);
}

/**
 * The counties a city slot designates when it names no prefecture but a county-level division (汉滨区 in HL7
 * XAD-3 of a HIS with no county field), among the counties of the province (or of the country): the same full
 * name first, so that 朝阳区 is the two 朝阳区 (Beijing, Changchun) rather than 朝阳市 by its core name; the
 * core name only when no prefecture has it either. Empty when the slot reads as a prefecture.
 */
function countiesInCitySlot(
  prefectures: NamedDivision[],
  counties: NamedDivision[],
  given: string,
): NamedDivision[] {
  if (sameName(prefectures, given).length > 0) return [];
  const exact = sameName(counties, given);
  if (exact.length > 0) return exact;
  return byName(prefectures, given).length > 0 ? [] : byName(counties, given);
}

/** Grouping rows of the data that are no place name (市辖区, 县, 省直辖县级行政区划…). */
const PLACEHOLDERS = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

interface Found {
  readonly division: NamedDivision;
  /** The words of the text that named it (removed before the next level is looked for). */
  readonly words?: string;
}

/** Candidates whose name (full, else core of two characters or more) occurs in the text; longest words win. */
function inText(all: NamedDivision[], text: string): Found[] {
  const candidates = all.filter((c) => c.name.length >= 2 && !PLACEHOLDERS.has(c.name));
  const full = candidates.filter((c) => text.includes(c.name)).map((c) => ({ division: c, words: c.name }));
  const found =
    full.length > 0
      ? full
      : candidates
          .filter((c) => coreName(c.name).length >= 2 && text.includes(coreName(c.name)))
          .map((c) => ({ division: c, words: coreName(c.name) }));
  // 新城 inside 新城街道: only the longest words found stand.
  return found.filter(
    (a) => !found.some((b) => b.words.length > a.words.length && b.words.includes(a.words)),
  );
}

const LABELS: Record<AddressLevel, string> = {
  province: 'province (省)',
  prefecture: 'prefecture (市)',
  county: 'county (县/区)',
  township: 'township or street (乡镇/街道)',
  committee: "residents' or villagers' committee (居/村委会)",
};

/**
 * Resolves an address given as names to the most specific administrative division code the data allows:
 * province → prefecture → county → township/street → committee, each level narrowed by the one above.
 * A county is required (routing needs at least the county); below it a level that is not named is skipped,
 * but a level that is named and not found, or found more than once, is an error naming that level.
 * A city slot that names no prefecture but a county-level division (区/县/县级市) is read as the county.
 */
export async function resolveAddress(
  source: DivisionSource,
  parts: AddressParts,
): Promise<AddressResolution> {
  let text = (parts.text ?? '').replace(/\s+/g, '');
  type Picked = { found?: NamedDivision; error?: AddressResolution };
  const pick = (level: AddressLevel, candidates: NamedDivision[], given: string | undefined): Picked =>
    decide(
      level,
      given
        ? byName(candidates, given).map((division) => ({ division }))
        : text
          ? inText(candidates, text)
          : [],
      given,
    );
  const decide = (level: AddressLevel, matches: Found[], given: string | undefined): Picked => {
    if (matches.length === 1) {
      if (matches[0].words) text = text.replace(matches[0].words, '');
      return { found: matches[0].division };
    }
    // Words of the text that fit several provinces or prefectures do not decide: the county below will.
    if (matches.length > 1 && !given && (level === 'province' || level === 'prefecture')) return {};
    if (matches.length > 1) {
      const names = matches
        .slice(0, 5)
        .map((m) => `${m.division.name} ${m.division.code}`)
        .join(', ');
      return {
        error: {
          ok: false,
          level,
          reason: 'ambiguous',
          detail: `the ${LABELS[level]} ${given ?? 'named in the address text'} is ambiguous (${names}); name the level above it or send the division code`,
        },
      };
    }
    if (given) {
      return {
        error: {
          ok: false,
          level,
          reason: 'unknown',
          detail: `no ${LABELS[level]} is named ${given} there; check the spelling or send the division code`,
        },
      };
    }
    return {};
  };

  const province = pick('province', source.provinces(), parts.province);
  if (province.error) return province.error;
  const prefectures = source.prefecturesOf(province.found?.code);
  let county: Picked | undefined;
  // A county-level name in the city slot (汉滨区 in XAD-3), searched under the province when one is given.
  const countiesInCity = parts.prefecture
    ? countiesInCitySlot(prefectures, source.countiesOf(province.found?.code ?? ''), parts.prefecture)
    : [];
  // A county slot given as well must name the same county (else the city slot is read as the prefecture).
  const agreeing = parts.county ? byName(countiesInCity, parts.county) : countiesInCity;
  if (agreeing.length > 0) {
    county = decide(
      'county',
      agreeing.map((division) => ({ division })),
      parts.prefecture,
    );
  } else {
    const prefecture = pick('prefecture', prefectures, parts.prefecture);
    if (prefecture.error && !prefecture.error.ok && prefecture.error.reason === 'unknown') {
      const where = province.found ? ` in ${province.found.name}` : '';
      const named = countiesInCity
        .slice(0, 5)
        .map((c) => `${c.name} ${c.code}`)
        .join(', ');
      const detail =
        countiesInCity.length > 0
          ? `the city ${parts.prefecture} is the ${LABELS.county} ${named}, not the ${LABELS.county} ${parts.county}; send one of them, or the division code`
          : `no ${LABELS.prefecture} or ${LABELS.county} is named ${parts.prefecture}${where}; check the spelling or send the division code`;
      return { ...prefecture.error, detail };
    }
    if (prefecture.error) return prefecture.error;
    const scope = prefecture.found?.code ?? province.found?.code ?? '';
    county = pick('county', source.countiesOf(scope), parts.county);
  }
  if (county.error) return county.error;
  if (!county.found) {
    return {
      ok: false,
      level: 'county',
      reason: 'unknown',
      detail: `the address names no ${LABELS.county}; give the district, or the division code`,
    };
  }
  const township = pick('township', source.townshipsOf(county.found.code), parts.township);
  if (township.error) return township.error;
  if (!township.found) return { ok: true, code: county.found.code, level: 'county' };
  // Committee names are read from the data file on demand; only asked for when the address could name one.
  if (!parts.committee && !text) return { ok: true, code: township.found.code, level: 'township' };
  const committee = pick('committee', await source.committeesOf(township.found.code), parts.committee);
  if (committee.error) return committee.error;
  return committee.found
    ? { ok: true, code: committee.found.code, level: 'committee' }
    : { ok: true, code: township.found.code, level: 'township' };
}
