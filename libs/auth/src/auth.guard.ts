import { ExecutionContext, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
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

type HttpRequest = AuthenticatedRequest & {
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  ip?: string;
  socket?: { remoteAddress?: string };
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
 * rate-limits per principal (per IP before authentication succeeds, so key guessing is limited too), then
 * authorises the route (@Public, @OrgKinds, @Roles, @OwnOrganisationParam). Message handlers are not HTTP and
 * pass through (the bus has its own NATS permissions).
 */
@Injectable()
export class AuthGuard extends ThrottlerGuard {
  private readonly tokens: OpsTokenVerifier;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly keys: ApiKeyService,
    @Inject(AUTH_CONFIG) config: AuthConfig,
    revocations: OpsTokenRevocations,
  ) {
    super(options, storage, reflector);
    this.tokens = new OpsTokenVerifier(config, (jti) => revocations.isRevoked(jti));
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<HttpRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets);
    if (isPublic) return super.canActivate(context);

    request.principal = await this.authenticate(request);
    await super.canActivate(context); // 429 before 401: failed attempts count against the IP
    const principal = request.principal;
    if (!principal) throw unauthenticated();

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

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as HttpRequest;
    if (request.principal) return Promise.resolve(principalId(request.principal));
    return Promise.resolve(`ip:${request.ip ?? request.socket?.remoteAddress ?? 'unknown'}`);
  }
}
