import { OrganisationKind, OrganisationPrincipal } from './principal';

/**
 * What the guard asks about a staff session cookie. Provided by `@app/staff` (StaffModule) in the services that
 * have staff accounts; elsewhere absent, and a cookie authenticates nobody.
 */
export interface StaffAuthenticator {
  /** The organisation kind whose people hold staff accounts here (the only kind the staff API serves). */
  readonly organisationKind: OrganisationKind;
  /**
   * The principal of a live session (idle and absolute expiry checked, last use slid forward) with its CSRF
   * token; undefined for an unknown, revoked or expired session or a disabled account.
   */
  authenticate(token: string): Promise<{ principal: OrganisationPrincipal; csrfToken: string } | undefined>;
}

export const STAFF_AUTHENTICATOR = Symbol('STAFF_AUTHENTICATOR');
