import { createHash } from 'node:crypto';
import { OrganisationKind, StaffRole } from '@app/auth';
import { hashPassword } from './staff-password';

export interface DemoStaffAccount {
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  readonly divisionCode?: string | null;
  /** In clear (demo seeds and tests only; production accounts are created through the account API). */
  readonly password: string;
}

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/**
 * Stores demo staff accounts in a service's `staff_account` table, idempotently: an existing username is left
 * as it is (its password may have been changed since).
 */
export async function insertStaffAccounts(
  query: Query,
  schema: string,
  accounts: readonly DemoStaffAccount[],
): Promise<void> {
  const s = `"${schema.replace(/"/g, '""')}"`;
  for (const a of accounts) {
    await query(
      `INSERT INTO ${s}.staff_account (username, display_name, role, organisation_id, organisation_kind,
              organisation_name, division_code, password_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), now()) ON CONFLICT (username) DO NOTHING`,
      [
        a.username,
        a.displayName,
        a.role,
        a.organisationId,
        a.organisationKind,
        a.organisationName,
        a.divisionCode ?? null,
        await hashPassword(a.password),
      ],
    );
  }
}

/** The demo coordinator's username of a seeded organisation. */
export const demoCoordinatorUsername = (organisationId: string): string => `${organisationId}.coordinator`;

/**
 * A deterministic demo password for a seeded organisation's coordinator (never in production; each seed
 * prints the formula): `demo-` + the first 24 hex of sha256("referral-bus demo staff password: <id>").
 */
export function demoStaffPassword(organisationId: string): string {
  const digest = createHash('sha256')
    .update(`referral-bus demo staff password: ${organisationId}`, 'utf8')
    .digest('hex');
  return `demo-${digest.slice(0, 24)}`;
}

/** The demo coordinator account of a seeded organisation. */
export function demoCoordinator(
  organisationId: string,
  organisationKind: OrganisationKind,
  organisationName: string,
  divisionCode: string | null,
): DemoStaffAccount {
  return {
    username: demoCoordinatorUsername(organisationId),
    displayName: `${organisationName} 协调员 (demo)`,
    role: 'coordinator',
    organisationId,
    organisationKind,
    organisationName,
    divisionCode,
    password: demoStaffPassword(organisationId),
  };
}
