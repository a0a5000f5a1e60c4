import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock, DomainException } from '@app/core';
import { AUTH_CONFIG, AuthConfig } from '../auth.config';
import { RateLimitRepository } from './rate-limit.repository';

/** Which budget a key draws on: a caller's address (before any credential is looked at) or a principal. */
export type RateBudget = 'ip' | 'principal';

export interface RateDecision {
  readonly allowed: boolean;
  /** Hits of the current window, this one included. */
  readonly hits: number;
  readonly limit: number;
  /** Seconds until the window ends (at least 1). */
  readonly retryAfterSeconds: number;
}

export const RATE_LIMITED = 'RATE_LIMITED';

/** The key of a network peer: a digest, so no address is stored. */
export function ipRateKey(address: string | undefined): string {
  return `ip:${createHash('sha256')
    .update(address ?? 'unknown')
    .digest('base64url')
    .slice(0, 22)}`;
}

/** Hits of one counter and window waiting for the statement in flight; each is told its own count. */
interface QueuedHits {
  readonly key: string;
  readonly windowStart: number;
  waiting: { resolve: (hits: number) => void; reject: (error: unknown) => void }[];
}

/**
 * Fixed-window request budgets shared by every route and every replica of a service: the counters are rows of
 * the service's `rate_limit` table, bumped by one atomic upsert per hit (windows aligned on the Clock's epoch
 * milliseconds). Used by the IP middleware (before any key lookup), the AuthGuard (per principal), the NATS
 * intake request path and the MLLP listener. When the database cannot count, the request is let through (and
 * logged): the limiter never turns a database hiccup into refusals of its own.
 *
 * Concurrent hits on one counter share a statement: while one upsert of a counter is in flight, the hits that
 * arrive for it wait and then go as one upsert adding their number, and each learns its own count (as if they
 * had gone one by one, in arrival order). Every request from one address or one hospital bumps the same row,
 * so under load the upserts would queue on its row lock anyway; this way they cost one round trip, not one each.
 */
@Injectable()
export class SharedRateLimiter {
  private readonly logger = new Logger(SharedRateLimiter.name);
  private purgedWindow = 0;
  /** Per counter and window: the hits waiting for its statement in flight (present while one is). */
  private readonly queued = new Map<string, QueuedHits>();

  constructor(
    private readonly counters: RateLimitRepository,
    private readonly clock: Clock,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  limitOf(budget: RateBudget): number {
    return budget === 'ip' ? this.config.ipRateLimit : this.config.rateLimit;
  }

  /** Counts one request of `key` against `budget`. */
  async consume(key: string, budget: RateBudget): Promise<RateDecision> {
    const window = this.config.rateLimitWindowMs;
    const now = this.clock.now().getTime();
    const windowStart = now - (now % window);
    const limit = this.limitOf(budget);
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + window - now) / 1000));
    let hits: number;
    try {
      hits = await this.countHit(`${budget}:${key}`.slice(0, 200), windowStart);
    } catch (error) {
      this.logger.warn(`rate limit not counted (let through): ${(error as Error).message}`);
      return { allowed: true, hits: 0, limit, retryAfterSeconds };
    }
    this.purgeOldWindows(windowStart);
    return { allowed: hits <= limit, hits, limit, retryAfterSeconds };
  }

  /** Counts one request and throws RATE_LIMITED (429, `retryAfterSeconds` in the details) over budget. */
  async enforce(key: string, budget: RateBudget): Promise<RateDecision> {
    const decision = await this.consume(key, budget);
    if (!decision.allowed) throw rateLimited(decision);
    return decision;
  }

  /** This hit's count in its window: alone when the counter is idle, else with the hits queued behind it. */
  private countHit(key: string, windowStart: number): Promise<number> {
    const id = `${windowStart}\n${key}`;
    return new Promise((resolve, reject) => {
      const queued = this.queued.get(id);
      if (queued) {
        queued.waiting.push({ resolve, reject });
        return;
      }
      const batch: QueuedHits = { key, windowStart, waiting: [] };
      this.queued.set(id, batch);
      void this.flush(id, batch, [{ resolve, reject }]);
    });
  }

  /** One upsert for `hits`, then one for whatever queued meanwhile, until nothing did. */
  private async flush(id: string, batch: QueuedHits, hits: QueuedHits['waiting']): Promise<void> {
    while (hits.length > 0) {
      try {
        const total = await this.counters.recordHits(batch.key, batch.windowStart, hits.length);
        hits.forEach((hit, i) => hit.resolve(total - hits.length + 1 + i));
      } catch (error) {
        hits.forEach((hit) => hit.reject(error));
      }
      hits = batch.waiting;
      batch.waiting = [];
    }
    this.queued.delete(id);
  }

  /** Once per window and process: the previous windows' rows go (in the background). */
  private purgeOldWindows(windowStart: number): void {
    if (this.purgedWindow === windowStart) return;
    this.purgedWindow = windowStart;
    this.counters
      .deleteWindowsBefore(windowStart)
      .catch((error: Error) => this.logger.warn(`rate limit purge failed: ${error.message}`));
  }
}

export function rateLimited(decision: RateDecision): DomainException {
  return new DomainException(
    RATE_LIMITED,
    'rate-limited',
    `Too many requests: at most ${decision.limit} per window; try again in ${decision.retryAfterSeconds} s`,
    { retryAfterSeconds: decision.retryAfterSeconds },
  );
}
