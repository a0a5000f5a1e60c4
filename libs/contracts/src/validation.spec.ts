import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, validateSync } from 'class-validator';
import { IsNested, IsNestedArray, IsTimestamp } from './validation';

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

class Stamped {
  @IsTimestamp()
  at: string;
}

class Received {
  @IsTimestamp({ spaceSeparator: true })
  at: string;
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

describe('IsTimestamp', () => {
  const stampProblems = (type: new () => object, at: unknown) =>
    validateSync(plainToInstance(type, { at })).map((e) => Object.keys(e.constraints ?? {}));

  it('should refuse ISO 8601 forms a Date cannot read (they reached Postgres as Invalid Date)', () => {
    for (const at of [
      '2026-W01',
      '2026-W01-1',
      '2026-123',
      '20260101',
      '2026-01-01T10',
      '2026-01-01T10:00:00,5Z',
      '2026-01-01T10:00:00+08',
      '-2026-01-01',
      '+2026-01-01',
    ]) {
      expect({ at, problems: stampProblems(Stamped, at) }).toEqual({
        at,
        problems: [['isReadableTimestamp']],
      });
    }
  });

  it('should report a value that is no ISO 8601 at all once, as before', () => {
    for (const at of ['yesterday', '2026-02-30T10:00:00Z', 2026, null]) {
      expect(stampProblems(Stamped, at)).toEqual([['isIso8601']]);
    }
  });

  it('should accept RFC 3339 timestamps, and a space for the T only when allowed', () => {
    for (const at of ['2026-11-20T10:30:00+08:00', '2026-11-20T02:30:00.123Z', '2026-11-20']) {
      expect(stampProblems(Stamped, at)).toEqual([]);
    }
    expect(stampProblems(Stamped, '2026-11-20 10:30:00+08:00')).toEqual([['isIso8601']]);
    expect(stampProblems(Received, '2026-11-20 10:30:00+08:00')).toEqual([]);
    expect(stampProblems(Received, '2026-W47 10:30')).toEqual([['isReadableTimestamp']]);
  });
});
