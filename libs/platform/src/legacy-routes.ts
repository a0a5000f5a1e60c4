import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalisedPath } from '@app/auth';
import { API_VERSION_PREFIX, LEGACY_DEPRECATED_AT, LEGACY_SUNSET, legacyPrefixOf } from '@app/core';

/**
 * Answers on a deprecated unprefixed alias (see `versioned` in @app/core) carry `Deprecation` (RFC 9745),
 * `Sunset` (RFC 8594) and a `Link` to the `/v1` successor, so a client sees it must move before the aliases go.
 */
export function legacyRouteHeaders() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const raw = (req.url ?? '').split('?')[0];
    const prefix = legacyPrefixOf(normalisedPath(raw));
    if (prefix !== undefined) {
      // The same path under /v1 when it is plain (no characters that would need quoting in a Link), else the prefix.
      const successor = /^\/[\w\-./~%]*$/.test(raw) ? raw : prefix;
      res.setHeader('Deprecation', `@${LEGACY_DEPRECATED_AT}`);
      res.setHeader('Sunset', LEGACY_SUNSET);
      res.setHeader('Link', `</${API_VERSION_PREFIX}${successor}>; rel="successor-version"`);
    }
    next();
  };
}
