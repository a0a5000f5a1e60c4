import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Security headers on every HTTP response of every service (API answers, errors, health, metrics and the
 * OpenAPI UI): helmet's defaults (nosniff, no referrer, a same-origin CSP for the docs UI, …) with framing
 * refused (`X-Frame-Options: DENY`, CSP `frame-ancestors 'none'`), and `Cache-Control: no-store` so no
 * referral, registration, application or audit view is kept by a browser or a proxy. The services speak
 * plain HTTP behind their TLS terminator: the CSP does not ask browsers to upgrade requests.
 */
export function securityHeaders(): (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void {
  const headers = helmet({
    contentSecurityPolicy: { directives: { frameAncestors: ["'none'"], upgradeInsecureRequests: null } },
    frameguard: { action: 'deny' },
  });
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    headers(req, res, next);
  };
}
