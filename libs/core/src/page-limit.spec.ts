import { DomainException } from './domain.exception';
import { pageLimit } from './page-limit';

describe(pageLimit.name, () => {
  it('should answer the requested limit up to the maximum, else the preferred size within it', () => {
    expect(pageLimit(7, 10)).toBe(7);
    expect(pageLimit(10, 10)).toBe(10);
    expect(pageLimit(undefined, 100)).toBe(20);
    expect(pageLimit(undefined, 5)).toBe(5);
  });

  it('should refuse a limit above the maximum with a 400 on #/limit', () => {
    expect(() => pageLimit(11, 10)).toThrow(DomainException);
    try {
      pageLimit(11, 10);
    } catch (error) {
      expect(error).toMatchObject({
        code: 'VALIDATION_FAILED',
        kind: 'invalid',
        details: { errors: [{ pointer: '#/limit', detail: 'limit must not be greater than 10' }] },
      });
    }
  });
});
