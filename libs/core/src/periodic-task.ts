import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

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

/**
 * A sweeper bound to the app's lifecycle: runs `round` every `intervalMs` from bootstrap until shutdown (which
 * waits for a round in progress), logging how many items a round handled and any failure. An interval of 0
 * switches it off (the round can still be called directly).
 */
export abstract class PeriodicSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task?: PeriodicTask;

  protected constructor(name: string, intervalMs: number, round: () => Promise<number>, handled: string) {
    const logger = new Logger(name);
    if (intervalMs <= 0) return;
    this.task = new PeriodicTask(
      async () => {
        const n = await round();
        if (n > 0) logger.log(`${handled}: ${n}`);
      },
      intervalMs,
      (e) => logger.warn(`${name}: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task?.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task?.stop() ?? Promise.resolve();
  }
}
