import { identityKey, normaliseIdNumber, normaliseName } from './patient-identity';

describe('patient identity normalisation', () => {
  it('should fold spaces and a lower-case checksum x in the ID number', () => {
    expect(normaliseIdNumber(' 610902 19900307 451x ')).toBe('61090219900307451X');
  });

  it('should fold full-width characters, spaces and middle dots in names', () => {
    expect(normaliseName('买买提 · 艾力')).toBe(normaliseName('买买提・艾力'));
    expect(normaliseName('ＺＨＡＮＧ San')).toBe('zhangsan');
    expect(normaliseName('张三')).not.toBe(normaliseName('张山'));
  });

  it('should match on the county of residence, not the committee', () => {
    const a = identityKey({ name: '张三', birthDate: '1990-03-07', residenceDivisionCode: '610902001001' });
    const b = identityKey({ name: '张 三', birthDate: '1990-03-07', residenceDivisionCode: '610902002003' });
    const c = identityKey({ name: '张三', birthDate: '1990-03-07', residenceDivisionCode: '610921001001' });
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
