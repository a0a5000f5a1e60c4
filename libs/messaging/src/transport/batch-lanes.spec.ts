import { BatchLanes, inKeyOrder, laneOf } from './batch-lanes';

interface Item {
  key: string;
  n: number;
}

const tick = () => new Promise((r) => setTimeout(r, 1));

/** Lanes whose batches take `delayMs` and record what ran, in which batch and how many at once per key. */
function recordingLanes(lanes: number, batchSize: number, capacity = 1000, delayMs = 2) {
  const batches: Item[][] = [];
  const active = new Map<string, number>();
  const overlaps: string[] = [];
  const sut = new BatchLanes<Item>({
    lanes,
    batchSize,
    capacity,
    keyOf: (item) => item.key,
    run: async (batch) => {
      batches.push(batch);
      for (const { key } of batch) {
        if ((active.get(key) ?? 0) > 0) overlaps.push(key);
        active.set(key, (active.get(key) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, delayMs * Math.random()));
      for (const { key } of batch) active.set(key, active.get(key)! - 1);
      if (batch.some((i) => i.key === 'boom')) throw new Error('boom');
    },
  });
  return { sut, batches, overlaps };
}

describe('BatchLanes', () => {
  it('should run each key in order and never concurrently, across batches and lanes', async () => {
    const { sut, batches, overlaps } = recordingLanes(4, 3);
    const keys = Array.from({ length: 10 }, (_, k) => `referral-${k}`);
    for (let round = 0; round < 6; round++) {
      for (const key of keys) sut.add({ key, n: round });
      sut.dispatch();
      await tick();
    }
    await sut.idle();

    expect(overlaps).toEqual([]);
    for (const key of keys) {
      const seen = batches.flat().filter((i) => i.key === key);
      expect(seen.map((i) => i.n)).toEqual([0, 1, 2, 3, 4, 5]);
    }
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(batches.some((b) => b.length > 1)).toBe(true);
    expect(sut.pending).toBe(0);
  });

  it('should take what is queued without waiting to fill a batch', async () => {
    const { sut, batches } = recordingLanes(1, 16);
    sut.add({ key: 'a', n: 0 });
    sut.dispatch();
    await sut.idle();
    expect(batches).toEqual([[{ key: 'a', n: 0 }]]);
  });

  it('should run different lanes in parallel and keep going after a batch fails', async () => {
    const errors: unknown[] = [];
    let running = 0;
    let peak = 0;
    const sut = new BatchLanes<Item>({
      lanes: 8,
      batchSize: 1,
      capacity: 100,
      keyOf: (item) => item.key,
      run: async ([item]) => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (item.key === 'boom') throw new Error('boom');
      },
      onError: (e) => errors.push(e),
    });
    const keys = ['boom', ...Array.from({ length: 30 }, (_, k) => `k${k}`)];
    keys.forEach((key) => sut.add({ key, n: 0 }));
    sut.add({ key: 'boom', n: 1 });
    sut.dispatch();
    await sut.idle();
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(8);
    expect(errors).toHaveLength(2);
    expect(sut.pending).toBe(0);
  });

  it('should hold the feeder while the capacity is used up', async () => {
    const { sut } = recordingLanes(2, 2, 3, 5);
    for (let n = 0; n < 3; n++) sut.add({ key: `k${n}`, n });
    expect(sut.hasCapacity).toBe(false);
    let released = false;
    const waiting = sut.whenCapacity().then(() => (released = true));
    await tick();
    expect(released).toBe(false);
    sut.dispatch();
    await waiting;
    expect(sut.hasCapacity).toBe(true);
    await sut.idle();
  });

  it('should map a key to one lane within range', () => {
    for (const key of ['a', 'referral-1', '', 'ü-ß']) {
      const lane = laneOf(key, 5);
      expect(lane).toBe(laneOf(key, 5));
      expect(lane).toBeGreaterThanOrEqual(0);
      expect(lane).toBeLessThan(5);
    }
    const spread = new Set(Array.from({ length: 100 }, (_, i) => laneOf(`r-${i}`, 4)));
    expect(spread.size).toBe(4);
  });
});

describe('inKeyOrder', () => {
  it('should sort a batch by key and keep the order of one key, whatever order it was delivered in', () => {
    const a = [
      { key: 'r-2', n: 1 },
      { key: 'r-1', n: 2 },
      { key: 'r-2', n: 3 },
      { key: 'r-10', n: 4 },
      { key: 'r-1', n: 5 },
    ];
    const b = [a[3], a[2], a[4], a[0], a[1]].map((i) => ({ ...i }));
    const order = (items: Item[]) => inKeyOrder(items, (i) => i.key).map((i) => `${i.key}#${i.n}`);
    expect(order(a)).toEqual(['r-1#2', 'r-1#5', 'r-10#4', 'r-2#1', 'r-2#3']);
    // Another replica's batch with the same referrals locks them in the same order (no cycle).
    expect(order(b).map((s) => s.split('#')[0])).toEqual(order(a).map((s) => s.split('#')[0]));
    expect(a.map((i) => i.n)).toEqual([1, 2, 3, 4, 5]);
  });
});
