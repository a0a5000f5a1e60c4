import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainException } from '@app/core';
import { ApiKeyService } from './api-key.service';
import { AUTH_CONFIG, AuthConfig } from './auth.config';
import { AuthenticatedRequest, IS_PUBLIC, ORG_KINDS, OWN_ORGANISATION_PARAM, ROLES } from './decorators';
import { OpsTokenVerifier } from './ops-token';
import { OpsTokenRevocations } from './token-revocation';
import {
  API_KEY_HEADER,
  OpsRole,
  OrganisationKind,
  Principal,
  principalId,
  UNAUTHENTICATED,
} from './principal';
import { rateLimited, SharedRateLimiter } from './rate-limit/shared-rate-limiter';

type HttpRequest = AuthenticatedRequest & {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
};

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
 * The one global guard of every service: authenticates the caller (organisation API key or ops JWT),
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
  ) {
    this.tokens = new OpsTokenVerifier(config, (jti) => revocations.isRevoked(jti));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    if (isPublic) return true;

    request.principal = await this.authenticate(request);
    const principal = request.principal;
    if (!principal) throw unauthenticated();
    const decision = await this.limiter.consume(principalId(principal), 'principal');
    if (!decision.allowed) {
      context
        .switchToHttp()
        .getResponse<{ setHeader(name: string, value: string): void }>()
        .setHeader('Retry-After', String(decision.retryAfterSeconds));
      throw rateLimited(decision);
    }

    const kinds = this.reflector.getAllAndOverride<OrganisationKind[] | undefined>(ORG_KINDS, targets);
    const roles = this.reflector.getAllAndOverride<OpsRole[] | undefined>(ROLES, targets);
    if (!this.allowed(principal, kinds, roles)) {
      throw new ForbiddenException('This credential may not call this endpoint');
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

  private async authenticate(request: HttpRequest): Promise<Principal | undefined> {
    const apiKey = single(request.headers[API_KEY_HEADER]);
    const authorization = single(request.headers.authorization);
    if (apiKey !== undefined && authorization !== undefined) return undefined; // ambiguous: refuse
    if (apiKey !== undefined) return this.keys.authenticate(apiKey);
    const bearer = authorization ? /^Bearer ([A-Za-z0-9._-]+)$/.exec(authorization)?.[1] : undefined;
    return bearer ? this.tokens.verify(bearer) : undefined;
  }
}
