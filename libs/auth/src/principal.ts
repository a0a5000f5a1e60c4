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

/** Roles of an organisation's staff (people signed in to the web workbench / desk). */
export const STAFF_ROLES = ['coordinator', 'worker', 'viewer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The person behind a staff session (the cookie credential). */
export interface StaffPerson {
  readonly accountId: string;
  readonly username: string;
  readonly role: StaffRole;
  /** The session that authenticated the call (sign-out and `current` act on it). */
  readonly sessionId: string;
}

/** A system calling with its organisation's API key, or a person of the organisation with a staff session. */
export interface OrganisationPrincipal {
  readonly type: 'organisation';
  /** The api_key row that authenticated the call (rotation acts on it); empty for a staff session. */
  readonly keyId: string;
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  /** The division the organisation belongs to (registration channels, sites), when known. */
  readonly divisionCode: string | null;
  /** Set when a person signed in with a staff session (cookie), not a system with the API key. */
  readonly person?: StaffPerson;
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
/** The staff session cookie (`__Host-`: Secure, Path=/, no Domain). */
export const STAFF_SESSION_COOKIE = '__Host-rb-staff';
/** The header that carries a staff session's CSRF token on every unsafe method. */
export const CSRF_HEADER = 'x-csrf-token';
/** The audit agent user id of a person. */
export const staffUserId = (accountId: string): string => `staff:${accountId}`;
export const UNAUTHENTICATED = 'UNAUTHENTICATED';
