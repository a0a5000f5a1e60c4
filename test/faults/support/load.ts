import { waitFor } from '@app/testing';

/** What happened to one discharge the driver sent. */
export interface Submission {
  readonly encounterId: string;
  /** The referral id of the first 2xx answer (undefined: never acknowledged). */
  referralId?: string;
  /** HTTP attempts (a refused connection, a timeout or a 5xx is retried with the same encounter id). */
  attempts: number;
  /** The referral ids of every 2xx answer: a retried post must always name the same referral. */
  readonly answers: string[];
  /** A 4xx answer: the discharge was refused (never expected here). */
  rejected?: { status: number; body: string };
}

export interface LoadOptions {
  /** Base URL of hospital-intake (it keeps its port across restarts). */
  readonly url: string;
  /** Several hospital-intake replicas instead: worker w posts to `urls[w % urls.length]`. */
  readonly urls?: readonly string[];
  readonly apiKey: string;
  readonly bodies: Record<string, unknown>[];
  /** Discharges in flight at once (default 6). */
  readonly concurrency?: number;
  /** Pause between two discharges of one worker, to spread the load over the fault window (default 0). */
  readonly pacingMs?: number;
  /** Give up on a discharge after this long (default 120 s); it then counts as sent, not acknowledged. */
  readonly deadlineMs?: number;
}

/**
 * Drives discharges into hospital-intake the way a hospital system does: each discharge is posted until it
 * is acknowledged (2xx), retrying refused connections, timeouts and 5xx with the same encounter id (the
 * intake is idempotent per hospital + encounter). Only a 2xx counts as acknowledged.
 */
export class LoadRun {
  readonly submissions: Submission[];
  readonly done: Promise<void>;
  private ackedCount = 0;
  private readonly startedAt = Date.now();

  private constructor(private readonly options: LoadOptions) {
    this.submissions = options.bodies.map((b) => ({
      encounterId: String(b.encounterId),
      attempts: 0,
      answers: [],
    }));
    this.done = this.run();
  }

  static start(options: LoadOptions): LoadRun {
    return new LoadRun(options);
  }

  get sent(): number {
    return this.submissions.length;
  }

  get acknowledgedCount(): number {
    return this.ackedCount;
  }

  /** Referral ids of the acknowledged discharges. */
  acknowledged(): string[] {
    return this.submissions.filter((s) => s.referralId).map((s) => s.referralId!);
  }

  /** Discharges whose retries were answered with another referral id than the first (must be none). */
  conflictingAnswers(): Submission[] {
    return this.submissions.filter((s) => new Set(s.answers).size > 1);
  }

  rejected(): Submission[] {
    return this.submissions.filter((s) => s.rejected);
  }

  retried(): number {
    return this.submissions.reduce((n, s) => n + Math.max(0, s.attempts - 1), 0);
  }

  /** Resolves once `count` discharges are acknowledged (a fault is injected mid-stream from there). */
  async reached(count: number, timeoutMs = 90_000): Promise<void> {
    await waitFor(() => this.ackedCount >= Math.min(count, this.sent), {
      timeoutMs,
      intervalMs: 20,
      message: `${count} of ${this.sent} discharges acknowledged (have ${this.ackedCount})`,
    });
  }

  private async run(): Promise<void> {
    let next = 0;
    const urls = this.options.urls?.length ? this.options.urls : [this.options.url];
    const worker = async (_: unknown, w: number) => {
      while (next < this.submissions.length) {
        const index = next++;
        await this.submit(index, urls[w % urls.length]);
        if (this.options.pacingMs) await new Promise((r) => setTimeout(r, this.options.pacingMs));
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 6 }, worker));
  }

  private async submit(index: number, url: string): Promise<void> {
    const submission = this.submissions[index];
    const body = JSON.stringify(this.options.bodies[index]);
    const deadline = this.startedAt + (this.options.deadlineMs ?? 120_000);
    let delay = 100;
    while (Date.now() < deadline) {
      submission.attempts++;
      try {
        const response = await fetch(`${url}/v1/discharges`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': this.options.apiKey },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const text = await response.text();
        if (response.status >= 200 && response.status < 300) {
          const referralId = (JSON.parse(text) as { referralId: string }).referralId;
          submission.answers.push(referralId);
          if (!submission.referralId) {
            submission.referralId = referralId;
            this.ackedCount++;
          }
          return;
        }
        if (
          response.status >= 400 &&
          response.status < 500 &&
          response.status !== 408 &&
          response.status !== 429
        ) {
          submission.rejected = { status: response.status, body: text.slice(0, 500) };
          return;
        }
      } catch {
        // refused, reset or timed out: the discharge may or may not have been stored; post it again
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 1000);
    }
  }
}
