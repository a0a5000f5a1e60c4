import { DivisionDirectory } from '@app/divisions';
import { prefectureSites } from './seed-sites';

describe(prefectureSites.name, () => {
  it("should build 安康市's network from real division codes, one county centre per county", async () => {
    const divisions = await DivisionDirectory.load();
    const sites = await prefectureSites(divisions, '6109');

    const centres = sites.filter((s) => s.level === 'county-centre');
    expect(centres.map((c) => c.areaCode)).toEqual(divisions.countiesOf('6109').map((c) => c.code));
    expect(centres.find((c) => c.areaCode === '610902')?.name).toContain('汉滨区');
    expect(sites.filter((s) => s.level === 'street-site').length).toBeGreaterThan(100);
    expect(sites.filter((s) => s.level === 'community-station').length).toBeGreaterThan(100);
    for (const site of sites) {
      expect(divisions.exists(site.areaCode)).toBe(true);
      expect(site.areaCode.startsWith(site.countyCode)).toBe(true);
    }
    expect(new Set(sites.map((s) => s.id)).size).toBe(sites.length);
  });
});
