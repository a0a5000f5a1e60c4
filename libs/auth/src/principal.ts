/** The organisations that file and process applications in registration (its channels). */
export const REGISTRATION_CHANNEL_KINDS = [
  'family-portal',
  'village-committee',
  'social-organisation',
  'enterprise',
  'county-centre',
] as const;

/** Organisation kinds that authenticate with an API key (one key table per service, in its own schema). */
export const ORGANISATION_KINDS = [
  'hospital',
  'site',
  'employment-provider',
  ...REGISTRATION_CHANNEL_KINDS,
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** Roles of ops/admin users (JWT). */
export const OPS_ROLES = ['ops-viewer', 'ops-admin', 'auditor'] as const;
export type OpsRole = (typeof OPS_ROLES)[number];

/** A system calling with its organisation's API key. */
export interface OrganisationPrincipal {
  readonly type: 'organisation';
  /** The api_key row that authenticated the call (rotation acts on it). */
  readonly keyId: string;
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  /** The division the organisation belongs to (registration channels, sites), when known. */
  readonly divisionCode: string | null;
}

/** An ops/admin user holding a JWT. */
export interface OpsPrincipal {
  readonly type: 'ops';
  readonly subject: string;
  readonly roles: readonly OpsRole[];
}

export type Principal = OrganisationPrincipal | OpsPrincipal;

/** A stable id of the caller (rate limits, audit). */
export function principalId(principal: Principal): string {
  return principal.type === 'organisation'
    ? organisationPrincipalId(principal.organisationKind, principal.organisationId)
    : `ops:${principal.subject}`;
}

/** The principal id of an organisation known by other means than its key (an MLLP sending facility). */
export function organisationPrincipalId(kind: OrganisationKind, organisationId: string): string {
  return `org:${kind}:${organisationId}`;
}

export const API_KEY_HEADER = 'x-api-key';
export const UNAUTHENTICATED = 'UNAUTHENTICATED';
