import { ROUTING_AREA_LEVELS, routingAreaValues } from './site.repository';

describe('routingAreaValues', () => {
  it('should bind committee, township and county as the three area parameters', () => {
    expect(routingAreaValues(['610902001003', '610902001', '610902'])).toEqual([
      '610902001003',
      '610902001',
      '610902',
    ]);
  });

  it('should bind null for the levels a township or county residence lacks', () => {
    expect(routingAreaValues(['610902001', '610902'])).toEqual(['610902001', '610902', null]);
    expect(routingAreaValues(['610902'])).toEqual(['610902', null, null]);
    expect(routingAreaValues([])).toEqual([null, null, null]);
  });

  it('should refuse more areas than the statement has parameters rather than drop one', () => {
    const four = ['610902001003', '610902001', '610902', '6109'];
    expect(four).toHaveLength(ROUTING_AREA_LEVELS + 1);
    expect(() => routingAreaValues(four)).toThrow(/at most 3 areas/);
  });
});
