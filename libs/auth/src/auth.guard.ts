import { timingSafeEqual } from 'node:crypto';
import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainException } from '@app/core';
import { setRequestPerson } from '@app/persistence';
import { ApiKeyService } from './api-key.service';
import { AUTH_CONFIG, AuthConfig } from './auth.config';
import {
  AuthenticatedRequest,
  IS_PUBLIC,
  ORG_KINDS,
  OWN_ORGANISATION_PARAM,
  ROLES,
  STAFF_API,
  STAFF_ROLES_KEY,
} from './decorators';
import { OpsTokenVerifier } from './ops-token';
import { OpsTokenRevocations } from './token-revocation';
import {
  API_KEY_HEADER,
  CSRF_HEADER,
  OpsRole,
  OrganisationKind,
  Principal,
  principalId,
  STAFF_SESSION_COOKIE,
  StaffRole,
  staffUserId,
  UNAUTHENTICATED,
} from './principal';
import { STAFF_AUTHENTICATOR, StaffAuthenticator } from './staff-authenticator';
import { rateLimited, SharedRateLimiter } from './rate-limit/shared-rate-limiter';

type HttpRequest = AuthenticatedRequest & {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
};

/** Methods that change nothing: no CSRF token needed, and every staff role may call them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Staff roles that may change things on a route without @StaffRoles. */
const DEFAULT_CHANGING_ROLES: readonly StaffRole[] = ['coordinator', 'worker'];

const unauthenticated = () =>
  new DomainException(
    UNAUTHENTICATED,
    'unauthenticated',
    'A valid X-API-Key (organisations) or Authorization: Bearer <JWT> (ops users) is required',
  );

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The value of one cookie in a Cookie header (RFC 6265 `name=value; name2=value2`); undefined when absent,
 * and also when the cookie is sent twice (ambiguous: e.g. a second one planted for a parent domain).
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const values = header
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1).replace(/^"(.*)"$/, '$1'));
  return values.length === 1 ? values[0] : undefined;
}

/** Constant-time comparison of a presented CSRF token with the session's. */
function tokensEqual(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const forbidden = (code: string, message: string) => new DomainException(code, 'forbidden', message);

interface Authenticated {
  readonly principal: Principal;
  /** The session's CSRF token, when a staff session cookie authenticated the call. */
  readonly csrfToken?: string;
}

/**
 * The one global guard of every service: authenticates the caller (organisation API key, ops JWT, or a staff
 * session cookie where the service has staff accounts — then CSRF token and staff role are checked too),
 * rate-limits per principal (the budget shared by all routes and replicas; the per-IP budget was already
 * counted by the IP middleware before this lookup), then authorises the route (@Public, @OrgKinds, @Roles,
 * @OwnOrganisationParam). Message handlers are not HTTP and pass through (the bus has its own NATS permissions).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly tokens: OpsTokenVerifier;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly limiter: SharedRateLimiter,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    revocations: OpsTokenRevocations,
    @Optional() @Inject(STAFF_AUTHENTICATOR) private readonly staff?: StaffAuthenticator,
  ) {
    this.tokens = new OpsTokenVerifier(config, (jti) => revocations.isRevoked(jti));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    if (isPublic) return true;

    const authenticated = await this.authenticate(request);
    if (!authenticated) throw unauthenticated();
    const principal = authenticated.principal;
    request.principal = principal;
    const decision = await this.limiter.consume(principalId(principal), 'principal');
    if (!decision.allowed) {
      context
        .switchToHttp()
        .getResponse<{ setHeader(name: string, value: string): void }>()
        .setHeader('Retry-After', String(decision.retryAfterSeconds));
      throw rateLimited(decision);
    }

    const staffApi = this.reflector.getAllAndOverride<boolean | undefined>(STAFF_API, targets);
    const kinds =
      staffApi && this.staff
        ? [this.staff.organisationKind]
        : this.reflector.getAllAndOverride<OrganisationKind[] | undefined>(ORG_KINDS, targets);
    const roles = this.reflector.getAllAndOverride<OpsRole[] | undefined>(ROLES, targets);
    if (!this.allowed(principal, kinds, roles)) {
      throw new ForbiddenException('This credential may not call this endpoint');
    }
    if (principal.type === 'organisation' && principal.person) {
      if (!SAFE_METHODS.has(request.method.toUpperCase())) {
        const presented = single(request.headers[CSRF_HEADER]);
        if (!tokensEqual(presented, authenticated.csrfToken ?? '')) {
          throw forbidden('CSRF_TOKEN_INVALID', 'A staff session needs its X-CSRF-Token header on this call');
        }
      }
      const staffRoles = this.reflector.getAllAndOverride<StaffRole[] | undefined>(STAFF_ROLES_KEY, targets);
      const permitted =
        staffRoles ?? (SAFE_METHODS.has(request.method.toUpperCase()) ? undefined : DEFAULT_CHANGING_ROLES);
      if (permitted && !permitted.includes(principal.person.role)) {
        throw forbidden('STAFF_ROLE_FORBIDDEN', 'Your role may not do this');
      }
      // The audit trail names the person (staff:<accountId>) on everything this request does.
      setRequestPerson({
        organisationId: principal.organisationId,
        userId: staffUserId(principal.person.accountId),
      });
    }
    const ownParam = this.reflector.getAllAndOverride<string | undefined>(OWN_ORGANISATION_PARAM, targets);
    if (ownParam && principal.type === 'organisation') {
      const value = request.params?.[ownParam];
      if (value !== undefined && value !== principal.organisationId) {
        throw new DomainException('NOT_FOUND', 'not-found', 'No such resource');
      }
    }
    return true;
  }

  private allowed(principal: Principal, kinds?: OrganisationKind[], roles?: OpsRole[]): boolean {
    if (principal.type === 'organisation') return kinds?.includes(principal.organisationKind) ?? false;
    if (!kinds && !roles) return principal.roles.length > 0;
    return principal.roles.some((r) => roles?.includes(r));
  }

  private async authenticate(request: HttpRequest): Promise<Authenticated | undefined> {
    const apiKey = single(request.headers[API_KEY_HEADER]);
    const authorization = single(request.headers.authorization);
    // Only where the service has staff accounts is the cookie a credential (elsewhere it is ignored).
    const session = this.staff
      ? cookieValue(single(request.headers.cookie), STAFF_SESSION_COOKIE)
      : undefined;
    const presented = [apiKey, authorization, session].filter((c) => c !== undefined).length;
    if (presented > 1) return undefined; // ambiguous: refuse
    if (apiKey !== undefined) return this.wrap(await this.keys.authenticate(apiKey));
    if (session !== undefined) return this.staff?.authenticate(session);
    const bearer = authorization ? /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization)?.[1] : undefined;
    return bearer ? this.wrap(await this.tokens.verify(bearer)) : undefined;
  }

  private wrap(principal: Principal | undefined): Authenticated | undefined {
    return principal && { principal };
  }
}
