import { MigrationInterface, QueryRunner } from 'typeorm';
import { allowAuditEntityTypes, disallowAuditEntityTypes } from '@app/audit';
import { STAFF_ROLES } from '@app/auth';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The staff accounts and sessions of a service (in its own schema), beside its `api_key` table and, like it,
 * without row-level security: the guard reads them as the service before it knows the caller, and every
 * account query of the staff service is scoped by the caller's organisation. Passwords are stored as scrypt
 * hashes, sessions by the sha256 of their token only.
 */
export async function createStaffTables(queryRunner: QueryRunner): Promise<void> {
  const s = quotedMigrationSchema(queryRunner);
  await queryRunner.query(`
    CREATE TABLE ${s}.staff_account (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
      display_name text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
      role text NOT NULL CHECK (role IN (${STAFF_ROLES.map((r) => `'${r}'`).join(', ')})),
      organisation_id text NOT NULL,
      organisation_kind text NOT NULL,
      organisation_name text NOT NULL,
      division_code text,
      password_hash text NOT NULL CHECK (password_hash LIKE 'scrypt$%'),
      disabled boolean NOT NULL DEFAULT false,
      failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
      locked_until timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`);
  await queryRunner.query(
    `CREATE INDEX staff_account_organisation_idx ON ${s}.staff_account (organisation_id, organisation_kind)`,
  );
  await queryRunner.query(`
    CREATE TABLE ${s}.staff_session (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_sha256 bytea NOT NULL UNIQUE CHECK (octet_length(token_sha256) = 32),
      csrf_token text NOT NULL,
      account_id uuid NOT NULL REFERENCES ${s}.staff_account (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      revoked_at timestamptz
    )`);
  await queryRunner.query(`CREATE INDEX staff_session_account_idx ON ${s}.staff_session (account_id)`);
}

export async function dropStaffTables(queryRunner: QueryRunner): Promise<void> {
  const s = quotedMigrationSchema(queryRunner);
  await queryRunner.query(`DROP TABLE ${s}.staff_session`);
  await queryRunner.query(`DROP TABLE ${s}.staff_account`);
}

/** The shared migration rehab-site and hospital-intake list (their staff accounts, issue #24). */
export class StaffAccounts1767100000000 implements MigrationInterface {
  name = 'StaffAccounts1767100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createStaffTables(queryRunner);
    // Sign-ins and account changes are audited as `staff-account` records.
    await allowAuditEntityTypes(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await disallowAuditEntityTypes(queryRunner, ['staff-account']);
    await dropStaffTables(queryRunner);
  }
}
