import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, problemType } from '@app/core';
import { ipRateKey, RATE_LIMITED, SharedRateLimiter } from './shared-rate-limiter';

type Request = IncomingMessage & { ip?: string; originalUrl?: string };

/** The liveness probe (the one public route, no credential looked up) comes from the orchestrator: never limited. */
const EXEMPT = /^\/health\/live(\?|$)/;

/**
 * The per-IP budget, counted before anything else looks at the request (body parsing, the docs middleware,
 * the AuthGuard's key or JWT lookup): a guesser or a flood is refused with 429 problem+json + Retry-After
 * without costing a key lookup. Shared by all routes and replicas of the service (SharedRateLimiter).
 */
export function ipRateLimitMiddleware(
  limiter: SharedRateLimiter,
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req: Request, res, next) => {
    const path = req.originalUrl ?? req.url ?? '/';
    if (EXEMPT.test(path)) return next();
    limiter.consume(ipRateKey(req.ip ?? req.socket.remoteAddress), 'ip').then(
      (decision) => {
        if (decision.allowed) return next();
        const problem = {
          type: problemType(RATE_LIMITED),
          title: 'rate limited',
          status: 429,
          detail: `Too many requests from this address: at most ${decision.limit} per window; try again in ${decision.retryAfterSeconds} s`,
          code: RATE_LIMITED,
          instance: path.split('?')[0],
          retryAfterSeconds: decision.retryAfterSeconds,
        };
        res.statusCode = 429;
        res.setHeader('Retry-After', String(decision.retryAfterSeconds));
        res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
        res.end(JSON.stringify(problem));
      },
      (error: unknown) => next(error),
    );
  };
}
