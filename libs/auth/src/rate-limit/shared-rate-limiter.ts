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

/**
 * Fixed-window request budgets shared by every route and every replica of a service: the counters are rows of
 * the service's `rate_limit` table, bumped by one atomic upsert per hit (windows aligned on the Clock's epoch
 * milliseconds). Used by the IP middleware (before any key lookup), the AuthGuard (per principal), the NATS
 * intake request path and the MLLP listener. When the database cannot count, the request is let through (and
 * logged): the limiter never turns a database hiccup into refusals of its own.
 */
@Injectable()
export class SharedRateLimiter {
  private readonly logger = new Logger(SharedRateLimiter.name);
  private purgedWindow = 0;

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
      hits = await this.counters.recordHit(`${budget}:${key}`.slice(0, 200), windowStart);
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
