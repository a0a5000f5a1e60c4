import { ManualClock } from '@app/core';
import { AuthConfig } from '../auth.config';
import { RateLimitRepository } from './rate-limit.repository';
import { leaseCap, MAX_REMEMBERED_COUNTERS, SharedRateLimiter } from './shared-rate-limiter';

/** A counter table in memory whose upserts answer only when the test lets them. */
class HeldCounters {
  readonly calls: { key: string; windowStart: number; hits: number }[] = [];
  private readonly totals = new Map<string, number>();
  private readonly held: (() => void)[] = [];
  failNext = false;

  recordHits(key: string, windowStart: number, hits: number): Promise<number> {
    this.calls.push({ key, windowStart, hits });
    const fail = this.failNext;
    this.failNext = false;
    return new Promise((resolve, reject) =>
      this.held.push(() => {
        if (fail) return reject(new Error('connection lost'));
        const total = (this.totals.get(`${windowStart}:${key}`) ?? 0) + hits;
        this.totals.set(`${windowStart}:${key}`, total);
        resolve(total);
      }),
    );
  }

  deleteWindowsBefore(): Promise<void> {
    return Promise.resolve();
  }

  /** Answers the upserts sent so far and lets their callers run. */
  async answer(): Promise<void> {
    this.held.splice(0).forEach((answer) => answer());
    await new Promise((r) => setImmediate(r));
  }
}

describe('SharedRateLimiter', () => {
  const config = { rateLimit: 3, ipRateLimit: 100, rateLimitWindowMs: 60_000 } as AuthConfig;
  let counters: HeldCounters;
  let limiter: SharedRateLimiter;

  beforeEach(() => {
    counters = new HeldCounters();
    limiter = new SharedRateLimiter(
      counters as unknown as RateLimitRepository,
      new ManualClock(new Date('2026-12-01T08:00:00Z')),
      config,
    );
  });

  it('should count a hit on an idle counter with a statement of its own, at once', async () => {
    const decision = limiter.consume('hospital-a', 'principal');
    expect(counters.calls).toEqual([
      { key: 'principal:hospital-a', windowStart: expect.any(Number), hits: 1 },
    ]);
    await counters.answer();
    expect(await decision).toMatchObject({ allowed: true, hits: 1, limit: 3 });
  });

  it('should count the hits that arrive during an upsert in one upsert, each with its own count', async () => {
    const first = limiter.consume('hospital-a', 'principal');
    const queued = [1, 2, 3, 4].map(() => limiter.consume('hospital-a', 'principal'));
    expect(counters.calls).toHaveLength(1);
    await counters.answer();
    expect(counters.calls.map((c) => c.hits)).toEqual([1, 4]);
    await counters.answer();
    const decisions = await Promise.all([first, ...queued]);
    expect(decisions.map((d) => [d.hits, d.allowed])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, false],
    ]);
    // The counter is idle again: the next hit goes alone.
    const next = limiter.consume('hospital-a', 'principal');
    expect(counters.calls.map((c) => c.hits)).toEqual([1, 4, 1]);
    await counters.answer();
    expect((await next).hits).toBe(6);
  });

  it('should keep counters apart: other keys and budgets go on their own', async () => {
    void limiter.consume('hospital-a', 'principal');
    void limiter.consume('hospital-b', 'principal');
    void limiter.consume('hospital-a', 'ip');
    expect(counters.calls.map((c) => [c.key, c.hits])).toEqual([
      ['principal:hospital-a', 1],
      ['principal:hospital-b', 1],
      ['ip:hospital-a', 1],
    ]);
    await counters.answer();
  });

  it('should let every hit of a failed upsert through, and count the next ones again', async () => {
    counters.failNext = true;
    const failed = [limiter.consume('hospital-a', 'principal')];
    await counters.answer();
    expect(await failed[0]).toMatchObject({ allowed: true, hits: 0 });
    const first = limiter.consume('hospital-a', 'principal');
    const second = limiter.consume('hospital-a', 'principal');
    await counters.answer();
    await counters.answer();
    expect([(await first).hits, (await second).hits]).toEqual([1, 2]);
  });

  it('should let every waiting hit through when their shared upsert fails', async () => {
    const first = limiter.consume('hospital-a', 'principal');
    const queued = [limiter.consume('hospital-a', 'principal'), limiter.consume('hospital-a', 'principal')];
    counters.failNext = true; // the next upsert: the one the queued hits share
    await counters.answer();
    expect(counters.calls.map((c) => c.hits)).toEqual([1, 2]);
    await counters.answer();
    expect((await first).hits).toBe(1);
    expect((await Promise.all(queued)).map((d) => [d.allowed, d.hits])).toEqual([
      [true, 0],
      [true, 0],
    ]);
  });

  describe('with a budget of 100 or more: numbers taken ahead of use', () => {
    /** Hits one after another (each awaited, every upsert answered at once). */
    async function hitInTurn(l: SharedRateLimiter, n: number, key = 'hospital-a') {
      const decisions = [];
      for (let i = 0; i < n; i++) {
        const decision = l.consume(key, 'principal');
        await counters.answer();
        decisions.push(await decision);
      }
      return decisions;
    }

    const busy = { rateLimit: 3_200, ipRateLimit: 100, rateLimitWindowMs: 60_000 } as AuthConfig;
    const clock = new ManualClock(new Date('2026-12-01T08:00:00Z'));

    it('should hold at most 2 % of the budget, 64 at most, and count exactly under 100', () => {
      expect([1, 3, 99, 100, 600, 1_200, 3_200, 1_000_000].map(leaseCap)).toEqual([
        1, 1, 1, 2, 12, 24, 64, 64,
      ]);
    });

    it('should take 1, 2, 4 … numbers per upsert for a busy counter and hand them out in order', async () => {
      const l = new SharedRateLimiter(counters as unknown as RateLimitRepository, clock, busy);
      const decisions = await hitInTurn(l, 300);
      expect(decisions.map((d) => d.hits)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(decisions.every((d) => d.allowed)).toBe(true);
      // 1+2+4+8+16+32 = 63, then 64 a time: 300 hits in 10 statements instead of 300.
      expect(counters.calls.map((c) => c.hits)).toEqual([1, 2, 4, 8, 16, 32, 64, 64, 64, 64]);
    });

    it('should never let two replicas together past the budget, and refuse early by at most one lease', async () => {
      const config = { rateLimit: 500, ipRateLimit: 100, rateLimitWindowMs: 60_000 } as AuthConfig;
      const a = new SharedRateLimiter(counters as unknown as RateLimitRepository, clock, config);
      const b = new SharedRateLimiter(counters as unknown as RateLimitRepository, clock, config);
      let allowed = 0;
      let refused = 0;
      for (let i = 0; i < 600; i++) {
        const decision = await hitInTurn(i % 3 === 0 ? b : a, 1);
        if (decision[0].allowed) allowed++;
        else refused++;
      }
      expect(allowed).toBeLessThanOrEqual(500);
      expect(allowed).toBeGreaterThanOrEqual(500 - leaseCap(500));
      expect(allowed + refused).toBe(600);
    });

    it('should forget idle counters past its memory bound: a forgotten busy one starts again at one number', async () => {
      const l = new SharedRateLimiter(counters as unknown as RateLimitRepository, clock, busy);
      await hitInTurn(l, 4, 'busy'); // upserts of 1, 2, 4: it holds numbers 5–7
      for (let i = 0; i < MAX_REMEMBERED_COUNTERS; i++) {
        const decision = l.consume(`address-${i}`, 'principal');
        await counters.answer();
        await decision;
      }
      counters.calls.length = 0;
      const [next] = await hitInTurn(l, 1, 'busy');
      // Forgotten: its held numbers 5–7 stay counted (never looser), the next upsert takes one number again.
      expect(counters.calls).toEqual([expect.objectContaining({ key: 'principal:busy', hits: 1 })]);
      expect(next).toMatchObject({ hits: 8, allowed: true });
      // 10,000 counters one after another: ~0.15 s alone, but a CI run on a loaded 2-core machine took over 5 s.
    }, 30_000);

    it('should start each window with one number again', async () => {
      const l = new SharedRateLimiter(counters as unknown as RateLimitRepository, clock, busy);
      await hitInTurn(l, 10);
      clock.advance(60_000);
      const [first] = await hitInTurn(l, 1);
      expect(first.hits).toBe(1);
      expect(counters.calls.at(-1)).toMatchObject({
        hits: 1,
        windowStart: counters.calls[0].windowStart + 60_000,
      });
    });
  });
});
