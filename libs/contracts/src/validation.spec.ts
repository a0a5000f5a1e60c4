import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, validateSync } from 'class-validator';
import { IsNested, IsNestedArray } from './validation';

class Inner {
  @IsString()
  name: string;
}

class Outer {
  @IsNested(() => Inner)
  required: Inner;

  @IsOptional()
  @IsNested(() => Inner)
  optional?: Inner;
}

class List {
  @IsNestedArray(() => Inner, 3)
  items: Inner[];
}

const problemsOf = (type: new () => object, plain: object) =>
  validateSync(plainToInstance(type, plain), { whitelist: true, forbidNonWhitelisted: true }).map(
    (e) => `${e.property}: ${Object.keys(e.constraints ?? {}).join(',') || 'children'}`,
  );
const problems = (plain: object) => problemsOf(Outer, plain);

describe('IsNested (issue 14: required nested objects were not enforced)', () => {
  it('should refuse a missing, null, array or scalar required nested object', () => {
    expect(problems({})).toEqual(['required: isNestedObject']);
    expect(problems({ required: null })).toEqual([expect.stringMatching(/^required: isNestedObject/)]);
    expect(problems({ required: [] })).toEqual([expect.stringMatching(/^required: isNestedObject/)]);
    expect(problems({ required: 'x' })).toEqual([expect.stringMatching(/^required: isNestedObject/)]);
  });

  it('should accept a present object, validate it in depth, and let an @IsOptional one be absent', () => {
    expect(problems({ required: { name: 'a' } })).toEqual([]);
    expect(problems({ required: { name: 1 } })).toEqual(['required: children']);
    expect(problems({ required: { name: 'a' }, optional: { name: 'b' } })).toEqual([]);
    expect(problems({ required: { name: 'a' }, optional: { name: 2 } })).toEqual(['optional: children']);
  });
});

describe('IsNestedArray', () => {
  const listProblems = (plain: object) => problemsOf(List, plain);

  it('should refuse an element that is not a JSON object (a nested array let [[]] through to the service)', () => {
    for (const element of [[], [[]], null, 'x', 1]) {
      expect(listProblems({ items: [element] })).toEqual([expect.stringMatching(/^items: .*isNestedObject/)]);
    }
    expect(listProblems({ items: [{ name: 'a' }, []] })).toEqual([expect.stringMatching(/isNestedObject/)]);
  });

  it('should accept objects, validate each in depth, and keep its length limit', () => {
    expect(listProblems({ items: [] })).toEqual([]);
    expect(listProblems({ items: [{ name: 'a' }, { name: 'b' }] })).toEqual([]);
    expect(listProblems({ items: [{ name: 'a' }, { name: 2 }] })).toEqual(['items: children']);
    expect(listProblems({ items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }] })).toEqual([
      'items: arrayMaxSize',
    ]);
    expect(listProblems({ items: {} })).toEqual([expect.stringMatching(/^items: isArray/)]);
  });
});
