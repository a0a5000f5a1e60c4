/**
 * Runs tasks with at most `max` in flight, and tasks with the same key strictly one after another in the
 * order they were scheduled (a referral's events are processed in order; different referrals in parallel).
 */
export class KeyedLimiter {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly max: number) {}

  get active(): number {
    return this.inFlight;
  }

  /** Resolves when the task has a slot (not when it is done). The task must not reject. */
  async schedule(key: string, task: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.max) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.inFlight++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(task).finally(() => {
      if (this.tails.get(key) === run) this.tails.delete(key);
      this.inFlight--;
      this.waiters.shift()?.();
      if (this.inFlight === 0) {
        const idle = this.idleWaiters;
        this.idleWaiters = [];
        idle.forEach((resolve) => resolve());
      }
    });
    this.tails.set(key, run);
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
