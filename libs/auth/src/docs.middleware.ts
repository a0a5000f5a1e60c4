import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBLEM_CONTENT_TYPE, problemType } from '@app/core';
import { AuthConfig } from './auth.config';
import { OpsTokenVerifier } from './ops-token';

/**
 * The path as the router may read it: percent-decoded, lower case (express routes case-insensitively), repeated
 * slashes collapsed. A path that cannot be decoded is kept as sent, lower-cased.
 */
export function normalisedPath(url: string): string {
  const raw = url.split('?')[0];
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Malformed escapes: the router answers 400 for them; compare what was sent.
  }
  return decoded.toLowerCase().replace(/\/{2,}/g, '/');
}

/**
 * The OpenAPI UI and documents (`/docs`, `/docs-json`, `/docs-yaml`) are served by express, outside Nest's
 * guards: this middleware authenticates the caller in front of them, for every spelling the router accepts (any
 * case, trailing slash, percent-encoded). Readable by any ops JWT (any role) and by any organisation API key of
 * a kind this service serves (`allowedKinds`), so an integrator can read the API it calls. No credentials, an
 * unknown key or an invalid JWT → 401; an API key sent with a JWT → 401, as on every route; a key of a kind the
 * service does not serve → 403.
 */
export function docsMiddleware(
  config: AuthConfig,
  keys: { authenticate(key: unknown): Promise<{ organisationKind: string } | undefined> },
  allowedKinds: readonly string[],
  pathPrefix = '/docs',
) {
  const verifier = new OpsTokenVerifier(config);
  const refuse = (res: ServerResponse, status: number, code: string, detail: string, path: string) => {
    res.statusCode = status;
    res.setHeader('content-type', PROBLEM_CONTENT_TYPE);
    res.end(
      JSON.stringify({
        type: problemType(code),
        title: code.replace(/_/g, ' ').toLowerCase(),
        status,
        detail,
        code,
        instance: path,
      }),
    );
  };
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    const path = (req.url ?? '').split('?')[0];
    if (!normalisedPath(path).startsWith(pathPrefix.toLowerCase())) return next();
    const header = req.headers.authorization;
    const token = header ? /^Bearer ([A-Za-z0-9._-]+)$/.exec(header)?.[1] : undefined;
    const apiKey = req.headers['x-api-key'];
    if (apiKey !== undefined && header !== undefined) {
      return refuse(res, 401, 'UNAUTHENTICATED', 'Send either an API key or an ops JWT, not both', path);
    }
    if (apiKey !== undefined) {
      keys.authenticate(Array.isArray(apiKey) ? apiKey[0] : apiKey).then((principal) => {
        if (!principal) return refuse(res, 401, 'UNAUTHENTICATED', 'The API key is not valid', path);
        if (!allowedKinds.includes(principal.organisationKind)) {
          return refuse(res, 403, 'FORBIDDEN', 'This credential may not read the API documentation', path);
        }
        next();
      }, next);
      return;
    }
    if (!token) {
      return refuse(res, 401, 'UNAUTHENTICATED', 'An API key (X-API-Key) or an ops JWT is required', path);
    }
    verifier.verify(token).then(
      (principal) =>
        principal ? next() : refuse(res, 401, 'UNAUTHENTICATED', 'The ops JWT is not valid', path),
      (error: unknown) => next(error),
    );
  };
}
