/**
 * The urgent deliveries (streams marked `urgent`: the green channel) a process holds, from the moment one is
 * handed to its lane until its transaction has committed or failed. Routine consumer lanes yield to them: they
 * start no batch while one is pending and cut a running batch short at the next message (committing what they
 * handled), so a relapse shares the process's event loop and database connection time with as little referral
 * work as possible. Nothing waits inside a transaction, so a yielding lane holds no locks an urgent handler
 * could need. A routine lane never waits longer than `maxYieldMs` in one go, and after such a wait runs its
 * whole batch without yielding again: a steady stream of urgent work slows routine work, never stops it.
 */
export class UrgentWork {
  private pending = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly maxYieldMs: number) {}

  /** Urgent deliveries handed to a lane and not yet settled. */
  get busy(): boolean {
    return this.pending > 0;
  }

  begin(count = 1): void {
    this.pending += count;
  }

  end(count = 1): void {
    this.pending = Math.max(0, this.pending - count);
    if (this.pending > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }

  /**
   * Resolves `true` once no urgent delivery is pending (at once when none is), or `false` when `maxYieldMs`
   * passed first: the caller then goes on without yielding again for that batch.
   */
  quiet(): Promise<boolean> {
    if (!this.busy) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, this.maxYieldMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }
}
