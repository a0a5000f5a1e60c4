/**
 * Runs tasks with at most `max` in flight, and tasks with the same key strictly one after another in the
 * order they were scheduled (a referral's events are processed in order; different referrals in parallel).
 * A task that fails does not stop the tasks queued behind it on its key.
 */
export class KeyedLimiter {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  get active(): number {
    return this.inFlight;
  }

  /**
   * Resolves when the task has a slot (not when it is done). Slots are handed over in scheduling order, so
   * two tasks of one key that wait for a slot keep their order.
   */
  async schedule(key: string, task: () => Promise<void>): Promise<void> {
    if (this.inFlight >= this.max || this.waiters.length > 0) {
      // The releasing task hands its slot straight to us: inFlight is not decremented in between.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    } else {
      this.inFlight++;
    }
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous
      .then(task)
      .catch((error: unknown) => this.onError(error))
      .finally(() => {
        if (this.tails.get(key) === run) this.tails.delete(key);
        this.release();
      });
    this.tails.set(key, run);
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) {
      next();
      return;
    }
    this.inFlight--;
    if (this.inFlight === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      idle.forEach((resolve) => resolve());
    }
  }

  /** Resolves when nothing is in flight and nothing waits for a slot. */
  idle(): Promise<void> {
    if (this.inFlight === 0 && this.waiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
