import { ConfigurationError } from '@app/core';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingFlag } from './heap-growth';

describe(heapGrowingFlag.name, () => {
  it('should bound old-generation growth by default', () => {
    expect(heapGrowingFlag({})).toBe(`--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`);
  });

  it('should take HEAP_GROWING_PERCENT, and leave V8 alone with 0', () => {
    expect(heapGrowingFlag({ HEAP_GROWING_PERCENT: '50' })).toBe('--heap-growing-percent=50');
    expect(heapGrowingFlag({ HEAP_GROWING_PERCENT: '0' })).toBeUndefined();
  });

  it.each(['-1', '401', '1.5', 'lots'])('should refuse %p', (value) => {
    expect(() => heapGrowingFlag({ HEAP_GROWING_PERCENT: value })).toThrow(ConfigurationError);
  });
});
