import { DivisionDirectory } from '@app/divisions';
import { prefectureProviders } from './seed-providers';

describe(prefectureProviders.name, () => {
  it('should give every county of 安康市 a 残联 centre, a sheltered workshop and a supported employment service', async () => {
    const divisions = await DivisionDirectory.load();
    const providers = prefectureProviders(divisions, '6109');

    const counties = divisions.countiesOf('6109').map((c) => c.code);
    expect(counties.length).toBeGreaterThan(5);
    expect(providers).toHaveLength(counties.length * 3);
    expect(providers.find((p) => p.id === 'ep-610902-centre')?.name).toContain('汉滨区');
    for (const provider of providers) {
      expect(divisions.exists(provider.areaCode)).toBe(true);
      expect(provider.areaCode.startsWith('6109')).toBe(true);
    }
    expect(new Set(providers.map((p) => p.id)).size).toBe(providers.length);
    expect(new Set(providers.flatMap((p) => p.programmes))).toEqual(
      new Set(['vocational-training', 'job-placement', 'sheltered-employment', 'supported-employment']),
    );
  });
});
