import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, validateSync } from 'class-validator';
import { IsNested } from './validation';

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

const problems = (plain: object) =>
  validateSync(plainToInstance(Outer, plain), { whitelist: true, forbidNonWhitelisted: true }).map(
    (e) => `${e.property}: ${Object.keys(e.constraints ?? {}).join(',') || 'children'}`,
  );

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
