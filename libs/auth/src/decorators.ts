import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { OpsRole, OrganisationKind, OrganisationPrincipal, Principal, StaffRole } from './principal';

export const IS_PUBLIC = 'auth:public';
export const ORG_KINDS = 'auth:org-kinds';
export const ROLES = 'auth:roles';
export const OWN_ORGANISATION_PARAM = 'auth:own-organisation-param';
export const STAFF_ROLES_KEY = 'auth:staff-roles';
export const STAFF_API = 'auth:staff-api';

/** No credentials needed. Only for liveness: everything else is authenticated by default. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Organisations of these kinds (API key) may call this route. */
export const OrgKinds = (...kinds: OrganisationKind[]) => SetMetadata(ORG_KINDS, kinds);

/**
 * Ops users with one of these roles (JWT) may call this route. A route with neither @OrgKinds nor @Roles is
 * open to every ops role and to no organisation (fail closed for new endpoints).
 */
export const Roles = (...roles: OpsRole[]) => SetMetadata(ROLES, roles);

/**
 * The path parameter names the caller's own organisation (e.g. `:siteId`); any other value answers 404, as if
 * it did not exist (never 403).
 */
export const OwnOrganisationParam = (param: string) => SetMetadata(OWN_ORGANISATION_PARAM, param);

/**
 * The staff roles that may call this route with a session (any method). Without it: every role may read
 * (GET/HEAD/OPTIONS), `worker` and `coordinator` may change. API keys and ops JWTs are not concerned.
 */
export const StaffRoles = (...roles: StaffRole[]) => SetMetadata(STAFF_ROLES_KEY, roles);

/**
 * The staff account API: organisations of the kind whose people hold staff accounts in this service (see
 * StaffAuthenticator.organisationKind) may call it, as if it carried @OrgKinds(that kind).
 */
export const StaffApi = () => SetMetadata(STAFF_API, true);

export type AuthenticatedRequest = { principal?: Principal };

/** The authenticated caller (set by the global AuthGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});

/** The calling organisation (on routes restricted with @OrgKinds only). */
export const CurrentOrganisation = createParamDecorator(
  (_: unknown, context: ExecutionContext): OrganisationPrincipal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (principal?.type !== 'organisation') throw new Error('CurrentOrganisation needs an @OrgKinds route');
    return principal;
  },
);
