import { UrgentWork } from './urgent-work';

describe('UrgentWork', () => {
  it('should be quiet at once when no urgent delivery is pending', async () => {
    const work = new UrgentWork(1000);
    expect(work.busy).toBe(false);
    await expect(work.quiet()).resolves.toBe(true);
  });

  it('should keep waiters until the last pending delivery has ended', async () => {
    const work = new UrgentWork(10_000);
    work.begin(2);
    let settled: boolean | undefined;
    const waiting = work.quiet().then((quiet) => (settled = quiet));
    work.end();
    await Promise.resolve();
    expect(settled).toBeUndefined();
    expect(work.busy).toBe(true);
    work.end();
    await waiting;
    expect(settled).toBe(true);
    expect(work.busy).toBe(false);
  });

  it('should let a routine lane go on after maxYieldMs, and not resolve it twice when the work ends later', async () => {
    jest.useFakeTimers();
    try {
      const work = new UrgentWork(500);
      work.begin();
      const results: boolean[] = [];
      const waiting = work.quiet().then((quiet) => results.push(quiet));
      jest.advanceTimersByTime(499);
      await Promise.resolve();
      expect(results).toEqual([]);
      jest.advanceTimersByTime(1);
      await waiting;
      expect(results).toEqual([false]);
      work.end();
      await Promise.resolve();
      expect(results).toEqual([false]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should never count below zero', async () => {
    const work = new UrgentWork(1000);
    work.end(3);
    expect(work.busy).toBe(false);
    work.begin();
    expect(work.busy).toBe(true);
    work.end();
    await expect(work.quiet()).resolves.toBe(true);
  });
});
