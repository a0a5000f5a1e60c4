import { plainToInstance } from 'class-transformer';
import { IsOptional, IsString, validateSync } from 'class-validator';
import { IsNested, IsNestedArray, IsPhoneNumber, IsTimestamp, phoneNumberOf } from './validation';

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

describe('IsTimestamp', () => {
  class Stamped {
    @IsTimestamp()
    at: string;
  }
  const read = (at: unknown) => {
    const instance = plainToInstance(Stamped, { at });
    return {
      at: instance.at,
      problems: validateSync(instance).flatMap((e) => Object.keys(e.constraints ?? {})),
    };
  };

  it('should take an RFC 3339 date-time as sent', () => {
    for (const at of ['2026-12-01T09:00:00Z', '2026-12-01T09:00:00.123+08:00', '2026-12-01T09:00-05:00']) {
      expect(read(at)).toEqual({ at, problems: [] });
    }
  });

  it('should read a space for the T, as RFC 3339 allows and SMS gateways and HIS exports write it', () => {
    expect(read('2026-11-20 10:30:00+08:00')).toEqual({ at: '2026-11-20T10:30:00+08:00', problems: [] });
    expect(read('2026-11-20 10:30:00')).toEqual({ at: '2026-11-20T10:30:00+08:00', problems: [] });
  });

  it('should read a time without an offset, or a bare date, in China Standard Time (not the server zone or UTC)', () => {
    expect(read('2026-12-01T09:00:00')).toEqual({ at: '2026-12-01T09:00:00+08:00', problems: [] });
    expect(read('2026-12-01T09:00')).toEqual({ at: '2026-12-01T09:00+08:00', problems: [] });
    expect(read('2026-11-01')).toEqual({ at: '2026-11-01T00:00:00+08:00', problems: [] });
    expect(new Date(read('2026-12-01T09:00:00').at).toISOString()).toBe('2026-12-01T01:00:00.000Z');
  });

  it('should refuse ISO 8601 forms a Date cannot read or that name no instant (they reached Postgres as Invalid Date)', () => {
    // Each passes IsISO8601({ strict: true }).
    for (const at of [
      '2026-W49-1',
      '2026-W01',
      '2026-340',
      '20261201T090000Z',
      '20260101',
      '2026-01-01T10',
      '2026-01-01T10:00:00,5Z',
      '2026-01-01T10:00:00+08',
      '2026-12-01T09:00:00+0800',
      '-2026-01-01',
      '+2026-01-01',
      '2026',
      '2026-12',
      '2026-W47 10:30',
    ]) {
      expect({ at, problems: read(at).problems }).toEqual({ at, problems: ['isRfc3339DateTime'] });
    }
  });

  it('should refuse impossible dates and values that are no time at all, once each', () => {
    for (const at of [
      '2026-02-30T09:00:00Z',
      '2026-12-01T24:00:00Z',
      'yesterday',
      1764579600000,
      2026,
      null,
    ]) {
      expect({ at, problems: read(at).problems }).toEqual({ at, problems: ['isRfc3339DateTime'] });
    }
  });
});

class Contact {
  @IsPhoneNumber()
  phone: string;
}

describe('phone numbers', () => {
  it('should say what a phone number may look like, not show the pattern', () => {
    const [error] = validateSync(plainToInstance(Contact, { phone: '(555) 555-2004' }));
    expect(Object.values(error.constraints ?? {})).toEqual([
      'phone must be a phone number of 5 to 20 digits or "-", optionally after a leading "+", such as 0915-3212345 or 13912345678',
    ]);
    expect(validateSync(plainToInstance(Contact, { phone: '+86-139-1234-5678' }))).toEqual([]);
  });

  it('should bring the forms hospital systems write into the contracts’ form, and leave anything else as sent', () => {
    expect(phoneNumberOf('(555) 555-2004')).toBe('555-555-2004');
    expect(phoneNumberOf('(0915)3212345')).toBe('0915-3212345');
    expect(phoneNumberOf('+86 139 1234 5678')).toBe('+86-139-1234-5678');
    expect(phoneNumberOf('0915.321.2345')).toBe('0915-321-2345');
    expect(phoneNumberOf(' 13912345678 ')).toBe('13912345678');
    expect(phoneNumberOf('call ward 3')).toBe('call ward 3');
    expect(phoneNumberOf('12')).toBe('12');
    expect(phoneNumberOf('')).toBeUndefined();
    expect(phoneNumberOf(undefined)).toBeUndefined();
  });
});
