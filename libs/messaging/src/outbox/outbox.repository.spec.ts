import { contiguousChains } from './outbox.repository';

/** A claimed row as the claim statement answers it: heads first (unsent_before 0), then the rows behind them. */
const row = (
  id: string,
  key: string,
  unsentBefore: number,
  extra: { due?: boolean; hasNext?: boolean } = {},
) => ({
  id,
  seq: id,
  ordering_key: key,
  subject: 'referral.assessed',
  payload: '{}',
  headers: {},
  attempts: 0,
  due: extra.due ?? true,
  has_next: extra.hasNext ?? false,
  unsent_before: unsentBefore,
});

describe('contiguousChains', () => {
  it('should put each key’s rows together behind its head, in the order claimed', () => {
    const chains = contiguousChains([
      row('1', 'a', 0, { hasNext: true }),
      row('2', 'b', 0),
      row('3', 'a', 1, { hasNext: true }),
      row('4', 'a', 2),
    ]);
    expect(chains.map((r) => [r.id, r.orderingKey, r.hasNext])).toEqual([
      ['1', 'a', true],
      ['3', 'a', true],
      ['4', 'a', false],
      ['2', 'b', false],
    ]);
  });

  it('should end a chain before a row that is not due, and leave what follows it', () => {
    const chains = contiguousChains([
      row('1', 'a', 0, { hasNext: true }),
      row('2', 'a', 1, { due: false, hasNext: true }),
      row('3', 'a', 2),
    ]);
    expect(chains.map((r) => r.id)).toEqual(['1']);
  });

  it('should end a chain where an unsent row before a claimed one was not claimed (held elsewhere)', () => {
    // Row 2 of key a is locked by another transaction: the claim skipped it, so row 3 sees two unsent before it.
    const chains = contiguousChains([
      row('1', 'a', 0, { hasNext: true }),
      row('3', 'a', 2),
      row('4', 'a', 3),
    ]);
    expect(chains.map((r) => r.id)).toEqual(['1']);
  });
});
