import { DivisionDirectory } from '@app/divisions';
import { SITE_PHONE_PATTERN } from './dto/site.dto';
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
    const station = sites.find((s) => s.level === 'community-station' && s.countyCode === '610902')!;
    expect(station.contactAddress).toMatch(/^陕西省安康市汉滨区.+党群服务中心$/);
    expect(centres.find((c) => c.areaCode === '610902')?.contactAddress).toBe(
      '陕西省安康市汉滨区社会福利服务中心一楼',
    );
    for (const site of sites) {
      expect(site.contactPhone).toMatch(SITE_PHONE_PATTERN);
      expect(site.contactAddress.length).toBeLessThanOrEqual(200);
    }
  });
});
