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

/** A hit waiting for its number in the window's count. */
interface WaitingHit {
  resolve: (hits: number) => void;
  reject: (error: unknown) => void;
}

/**
 * One counter's window in this process: the hit numbers it holds (`next`..`last`, taken from the shared count
 * ahead of use), how many it takes next time, and the hits waiting while an upsert is in flight.
 */
interface Lease {
  readonly key: string;
  readonly windowStart: number;
  next: number;
  last: number;
  chunk: number;
  inFlight: boolean;
  waiting: WaitingHit[];
}

/**
 * Counters a process remembers within a window (their held numbers and chunk sizes). Beyond it the idle ones
 * are forgotten, so a flood of distinct addresses cannot grow memory; a forgotten counter starts again at one
 * number per upsert (its unused numbers stay counted: stricter, never looser).
 */
export const MAX_REMEMBERED_COUNTERS = 10_000;

/** Hit numbers a process may hold ahead of use: 2 % of the budget, at most 64, at least 1 (then exact). */
export function leaseCap(limit: number): number {
  return Math.max(1, Math.min(64, Math.floor(limit / 50)));
}

/**
 * Fixed-window request budgets shared by every route and every replica of a service: the counters are rows of
 * the service's `rate_limit` table, bumped by atomic upserts (windows aligned on the Clock's epoch
 * milliseconds). Used by the IP middleware (before any key lookup), the AuthGuard (per principal), the NATS
 * intake request path and the MLLP listener. When the database cannot count, the request is let through (and
 * logged): the limiter never turns a database hiccup into refusals of its own.
 *
 * Each hit gets its number in the window's count: a hit numbered above the limit is refused. Numbers are taken
 * from the shared row by one upsert and handed out in this process: concurrent hits on one counter share a
 * statement (while one upsert is in flight, the hits that arrive wait and go as one upsert adding their number),
 * and a counter that keeps being hit takes numbers ahead of use, 1, 2, 4 … up to `leaseCap(limit)` (2 % of the
 * budget, at most 64) per upsert, so a busy hospital's requests cost a statement per few dozen, not one each.
 * Nothing is ever let past the limit: a number is counted in the shared row before it is used. The price is
 * bounded: numbers another replica holds unused when the budget runs out are refused to nobody and allowed to
 * nobody, so a caller may be refused up to (replicas − 1) × leaseCap hits early; budgets under 100 are exact.
 */
@Injectable()
export class SharedRateLimiter {
  private readonly logger = new Logger(SharedRateLimiter.name);
  private purgedWindow = 0;
  /** Per counter and window: the numbers this process holds and the hits waiting for an upsert. */
  private readonly leases = new Map<string, Lease>();

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
      hits = await this.countHit(`${budget}:${key}`.slice(0, 200), windowStart, limit);
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

  /** This hit's number in its window: one this process holds, else from the next upsert of the counter. */
  private countHit(key: string, windowStart: number, limit: number): Promise<number> {
    const id = `${windowStart}\n${key}`;
    let lease = this.leases.get(id);
    if (!lease) {
      if (this.leases.size >= MAX_REMEMBERED_COUNTERS) this.forgetIdle();
      lease = { key, windowStart, next: 1, last: 0, chunk: 1, inFlight: false, waiting: [] };
      this.leases.set(id, lease);
    }
    if (!lease.inFlight && lease.next <= lease.last) return Promise.resolve(lease.next++);
    const waiting = lease.waiting;
    const hit = new Promise<number>((resolve, reject) => waiting.push({ resolve, reject }));
    if (!lease.inFlight) void this.take(lease, leaseCap(limit));
    return hit;
  }

  /**
   * Upserts until every waiting hit has its number: each takes at least as many as are waiting, and ahead of
   * use the lease's chunk (doubled each time, up to `cap`); the waiting hits get the numbers in arrival order.
   */
  private async take(lease: Lease, cap: number): Promise<void> {
    lease.inFlight = true;
    while (lease.waiting.length > 0) {
      const hits = lease.waiting;
      lease.waiting = [];
      const count = Math.max(hits.length, lease.chunk);
      try {
        const total = await this.counters.recordHits(lease.key, lease.windowStart, count);
        lease.next = total - count + 1;
        lease.last = total;
        lease.chunk = Math.min(lease.chunk * 2, cap);
        hits.forEach((hit) => hit.resolve(lease.next++));
      } catch (error) {
        hits.forEach((hit) => hit.reject(error));
      }
    }
    lease.inFlight = false;
  }

  /** Forgets every counter with no upsert in flight (see MAX_REMEMBERED_COUNTERS). */
  private forgetIdle(): void {
    for (const [id, lease] of this.leases) {
      if (!lease.inFlight) this.leases.delete(id);
    }
  }

  /** Once per window and process: the previous windows' rows go (in the background). */
  private purgeOldWindows(windowStart: number): void {
    if (this.purgedWindow === windowStart) return;
    this.purgedWindow = windowStart;
    for (const [id, lease] of this.leases) {
      if (lease.windowStart < windowStart && !lease.inFlight) this.leases.delete(id);
    }
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
