import { createParamDecorator, ExecutionContext, ForbiddenException } from '@nestjs/common';
import { AuditEntry } from '@app/audit';
import { AuthenticatedRequest, OrganisationPrincipal, REGISTRATION_CHANNEL_KINDS } from '@app/auth';
import { DomainException } from '@app/core';
import { Actor, organisationActor } from '@app/persistence';

/** The registration channels (organisation kinds that file and process applications here). */
export type OrganisationKind = (typeof REGISTRATION_CHANNEL_KINDS)[number];

/** The organisation an API key binds a caller to. */
export interface Caller {
  readonly organisationId: string;
  readonly organisationName: string;
  readonly kind: OrganisationKind;
  readonly divisionCode: string;
}

/** The actor a channel's request runs as: row-level security shows it only what its organisation may see. */
export function callerActor(caller: Caller): Actor {
  return organisationActor(caller.organisationId, caller.kind);
}

/** The calling channel organisation, from the principal the global AuthGuard bound (@OrgKinds routes). */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (principal?.type !== 'organisation') {
    throw new Error('CurrentCaller needs a route restricted with @OrgKinds(...REGISTRATION_CHANNEL_KINDS)');
  }
  return callerOf(principal);
});

/** The channel organisation an organisation principal is (a route open to ops too reads the principal itself). */
export function callerOf(principal: OrganisationPrincipal): Caller {
  if (!(REGISTRATION_CHANNEL_KINDS as readonly string[]).includes(principal.organisationKind)) {
    throw new Error('a registration caller must be a registration channel organisation');
  }
  // A county centre's reach is its division: a key without one must not see every county.
  if (!principal.divisionCode) throw new ForbiddenException('This API key has no division');
  return {
    organisationId: principal.organisationId,
    organisationName: principal.organisationName,
    kind: principal.organisationKind as OrganisationKind,
    divisionCode: principal.divisionCode,
  };
}

/** The audit entry of a channel's request (an HTTP call) about one entity. */
export function restAudit(
  subtype: string,
  action: 'C' | 'R' | 'U',
  entityType: AuditEntry['entityType'],
  entityId: string,
): AuditEntry {
  return { type: 'rest', subtype, action, entityType, entityId, purposeOfUse: 'PATADMIN' };
}

/** What a caller gets for something that does not exist or that it may not see: 404, never 403. */
export function notFound(what: string): DomainException {
  return new DomainException(`${what.toUpperCase()}_NOT_FOUND`, 'not-found', `no such ${what}`);
}
