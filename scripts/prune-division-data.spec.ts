import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIVISION_DATA_FILES, DivisionDirectory, divisionDataDir } from '@app/divisions';
import { pruneDivisionData } from './prune-division-data';

describe('prune-division-data (the production image keeps only the division files the apps read)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'divisions-'));
    cpSync(divisionDataDir(), join(dir, 'data'), { recursive: true });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should leave exactly the files the directory reads, and a directory that still answers real lookups', async () => {
    const data = join(dir, 'data');
    const before = readdirSync(data);
    expect(before).toEqual(expect.arrayContaining(['data.sqlite', 'villages.json', ...DIVISION_DATA_FILES]));

    const result = pruneDivisionData(data);

    expect(readdirSync(data).sort()).toEqual([...DIVISION_DATA_FILES].sort());
    expect(result.removed).toEqual(
      before.filter((f) => !(DIVISION_DATA_FILES as readonly string[]).includes(f)).sort(),
    );
    expect(result.bytesBefore).toBeGreaterThan(150 * 1024 * 1024);
    expect(result.bytesAfter).toBeLessThan(45 * 1024 * 1024);

    const pruned = await DivisionDirectory.load(data);
    expect(pruned).not.toBe(await DivisionDirectory.load());
    expect(pruned.find('11')).toMatchObject({ level: 'province', name: '北京市' });
    expect(pruned.find('110101')).toMatchObject({ level: 'county', name: '东城区' });
    expect(pruned.find('110101001')).toMatchObject({ level: 'township', name: '东华门街道' });
    expect(pruned.find('110101001001')).toMatchObject({ level: 'village', townshipCode: '110101001' });
    expect(pruned.find('610902001003')).toMatchObject({ level: 'village', countyCode: '610902' });
    await expect(
      pruned.resolveAddress({ text: '陕西省安康市汉滨区老城街道西大街社区居委会12号' }),
    ).resolves.toEqual({
      ok: true,
      code: '610902001003',
      level: 'committee',
    });
    await expect(DivisionDirectory.villagesUnder('110101001', data)).resolves.toContainEqual({
      code: '110101001001',
      name: '多福巷社区居委会',
      townshipCode: '110101001',
    });
  }, 60_000);

  it('should read from the directory it is given (an empty one fails to load)', async () => {
    const empty = mkdtempSync(join(dir, 'empty-'));
    await expect(DivisionDirectory.load(empty)).rejects.toThrow(/villages\.csv/);
  });

  it('should refuse, deleting nothing, when a file the directory reads is missing', () => {
    const partial = join(dir, 'partial');
    cpSync(join(divisionDataDir(), 'provinces.json'), join(partial, 'provinces.json'));
    cpSync(join(divisionDataDir(), 'provinces.csv'), join(partial, 'provinces.csv'));
    expect(() => pruneDivisionData(partial)).toThrow(
      /lacks cities\.json, areas\.json, streets\.csv, villages\.csv/,
    );
    expect(readdirSync(partial).sort()).toEqual(['provinces.csv', 'provinces.json']);
  });
});
