/**
 * Runs `work` every `intervalMs` (the next round is scheduled after the previous one settles, so rounds never
 * overlap) until stopped; `stop()` waits for a round in progress. Failures are reported and the loop goes on.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: Error) => void,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.work()
        .catch((error: Error) => this.onError(error))
        .then(() => this.start());
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
