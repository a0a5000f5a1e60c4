import { Injectable } from '@nestjs/common';
import { OrganisationKind, StaffRole } from '@app/auth';
import { TransactionHost } from '@app/persistence';
import { LockState } from './staff-lockout';

export interface StaffAccountRecord extends LockState {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  readonly divisionCode: string | null;
  readonly passwordHash: string;
  readonly disabled: boolean;
  readonly createdAt: Date;
}

export type NewStaffAccount = Omit<StaffAccountRecord, 'id' | 'disabled' | 'failedAttempts' | 'lockedUntil'>;

export interface StaffAccountChanges {
  readonly role?: StaffRole;
  readonly displayName?: string;
  readonly disabled?: boolean;
  readonly passwordHash?: string;
}

/** A live session with its account. */
export interface StaffSessionRecord {
  readonly id: string;
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  readonly account: StaffAccountRecord;
}

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: StaffRole;
  organisation_id: string;
  organisation_kind: OrganisationKind;
  organisation_name: string;
  division_code: string | null;
  password_hash: string;
  disabled: boolean;
  failed_attempts: number;
  locked_until: Date | null;
  created_at: Date;
}

interface SessionRow extends AccountRow {
  session_id: string;
  csrf_token: string;
  session_created_at: Date;
  last_seen_at: Date;
}

const toAccount = (r: AccountRow): StaffAccountRecord => ({
  id: r.id,
  username: r.username,
  displayName: r.display_name,
  role: r.role,
  organisationId: r.organisation_id,
  organisationKind: r.organisation_kind,
  organisationName: r.organisation_name,
  divisionCode: r.division_code,
  passwordHash: r.password_hash,
  disabled: r.disabled,
  failedAttempts: r.failed_attempts,
  lockedUntil: r.locked_until,
  createdAt: r.created_at,
});

const toSession = (r: SessionRow): StaffSessionRecord => ({
  id: r.session_id,
  csrfToken: r.csrf_token,
  createdAt: r.session_created_at,
  lastSeenAt: r.last_seen_at,
  account: toAccount(r),
});

/** The liveness of a session at `now`: not revoked, used within the idle time, younger than the absolute age. */
export interface SessionWindow {
  readonly now: Date;
  readonly idleMs: number;
  readonly absoluteMs: number;
  /** The recorded last use is moved to `now` only when it is older than this (a write per interval, not per call). */
  readonly slideAfterMs: number;
}

/** The service's `staff_account` and `staff_session` tables. */
@Injectable()
export class StaffRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  async findAccountByUsername(username: string): Promise<StaffAccountRecord | undefined> {
    const rows = await this.tx.manager.query<AccountRow[]>(
      `SELECT * FROM ${this.s}.staff_account WHERE username = $1`,
      [username],
    );
    return rows[0] && toAccount(rows[0]);
  }

  /** The account, row-locked until the transaction ends (sign-in attempts on one account queue here). */
  async lockAccount(id: string): Promise<StaffAccountRecord | undefined> {
    const rows = await this.tx.manager.query<AccountRow[]>(
      `SELECT * FROM ${this.s}.staff_account WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] && toAccount(rows[0]);
  }

  async saveLockState(id: string, state: LockState): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.staff_account SET failed_attempts = $2, locked_until = $3 WHERE id = $1`,
      [id, state.failedAttempts, state.lockedUntil],
    );
  }

  async findAccount(id: string): Promise<StaffAccountRecord | undefined> {
    const rows = await this.tx.manager.query<AccountRow[]>(
      `SELECT * FROM ${this.s}.staff_account WHERE id = $1`,
      [id],
    );
    return rows[0] && toAccount(rows[0]);
  }

  async listAccountsOf(
    organisationId: string,
    organisationKind: OrganisationKind,
  ): Promise<StaffAccountRecord[]> {
    const rows = await this.tx.manager.query<AccountRow[]>(
      `SELECT * FROM ${this.s}.staff_account WHERE organisation_id = $1 AND organisation_kind = $2
        ORDER BY username LIMIT 1000`,
      [organisationId, organisationKind],
    );
    return rows.map(toAccount);
  }

  /** Inserts the account; undefined when the username is taken. */
  async insertAccount(account: NewStaffAccount): Promise<StaffAccountRecord | undefined> {
    const rows = await this.tx.manager.query<AccountRow[]>(
      `INSERT INTO ${this.s}.staff_account (username, display_name, role, organisation_id, organisation_kind,
              organisation_name, division_code, password_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT (username) DO NOTHING RETURNING *`,
      [
        account.username,
        account.displayName,
        account.role,
        account.organisationId,
        account.organisationKind,
        account.organisationName,
        account.divisionCode,
        account.passwordHash,
        account.createdAt,
      ],
    );
    return rows[0] && toAccount(rows[0]);
  }

  /** Applies the changes; a new password or a disabling also clears a lockout. */
  async updateAccount(id: string, changes: StaffAccountChanges, now: Date): Promise<StaffAccountRecord> {
    const clearsLock = changes.passwordHash !== undefined || changes.disabled === true;
    const [rows] = await this.tx.manager.query<[AccountRow[], number]>(
      `UPDATE ${this.s}.staff_account SET
         role = COALESCE($2, role), display_name = COALESCE($3, display_name), disabled = COALESCE($4, disabled),
         password_hash = COALESCE($5, password_hash), updated_at = $6,
         failed_attempts = CASE WHEN $7 THEN 0 ELSE failed_attempts END,
         locked_until = CASE WHEN $7 THEN NULL ELSE locked_until END
       WHERE id = $1 RETURNING *`,
      [
        id,
        changes.role ?? null,
        changes.displayName ?? null,
        changes.disabled ?? null,
        changes.passwordHash ?? null,
        now,
        clearsLock,
      ],
    );
    return toAccount(rows[0]);
  }

  async insertSession(
    accountId: string,
    tokenSha256: Buffer,
    csrfToken: string,
    now: Date,
  ): Promise<{ id: string }> {
    const rows = await this.tx.manager.query<{ id: string }[]>(
      `INSERT INTO ${this.s}.staff_session (token_sha256, csrf_token, account_id, created_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $4) RETURNING id`,
      [tokenSha256, csrfToken, accountId, now],
    );
    return rows[0];
  }

  /** Forgets an account's sessions that ended (revoked, or past the absolute age): they can never come back. */
  async pruneEndedSessionsOf(accountId: string, startedBefore: Date): Promise<void> {
    await this.tx.manager.query(
      `DELETE FROM ${this.s}.staff_session
        WHERE account_id = $1 AND (revoked_at IS NOT NULL OR created_at <= $2)`,
      [accountId, startedBefore],
    );
  }

  /**
   * The live session with this token hash, undefined when unknown, revoked, idle or too old, or its account is
   * disabled; its recorded last use is moved to `now` (sliding idle expiry) only when older than
   * `slideAfterMs`, so that a burst of calls writes once. One statement: the read, and the UPDATE when stale.
   */
  async touchLiveSession(
    tokenSha256: Buffer,
    window: SessionWindow,
  ): Promise<StaffSessionRecord | undefined> {
    const rows = await this.tx.manager.query<(SessionRow & { seen_before: Date })[]>(
      `WITH live AS (
         SELECT a.*, se.id AS session_id, se.csrf_token, se.created_at AS session_created_at,
                se.last_seen_at AS seen_before
           FROM ${this.s}.staff_session se JOIN ${this.s}.staff_account a ON a.id = se.account_id
          WHERE se.token_sha256 = $1 AND NOT a.disabled AND se.revoked_at IS NULL
            AND se.last_seen_at > $2::timestamptz - make_interval(secs => $3::double precision / 1000)
            AND se.created_at > $2::timestamptz - make_interval(secs => $4::double precision / 1000)
       ), slid AS (
         -- Checked again on the row as it is when locked: of two calls at once, one writes.
         UPDATE ${this.s}.staff_session se SET last_seen_at = $2
           FROM live
          WHERE se.id = live.session_id AND se.revoked_at IS NULL
            AND se.last_seen_at <= $2::timestamptz - make_interval(secs => $5::double precision / 1000)
          RETURNING se.id, se.last_seen_at
       )
       SELECT live.*, COALESCE(slid.last_seen_at, live.seen_before) AS last_seen_at
         FROM live LEFT JOIN slid ON slid.id = live.session_id`,
      [tokenSha256, window.now, window.idleMs, window.absoluteMs, window.slideAfterMs],
    );
    return rows[0] && toSession(rows[0]);
  }

  async findSession(id: string): Promise<StaffSessionRecord | undefined> {
    const rows = await this.tx.manager.query<SessionRow[]>(
      `SELECT a.*, se.id AS session_id, se.csrf_token, se.created_at AS session_created_at, se.last_seen_at
         FROM ${this.s}.staff_session se JOIN ${this.s}.staff_account a ON a.id = se.account_id
        WHERE se.id = $1 AND se.revoked_at IS NULL`,
      [id],
    );
    return rows[0] && toSession(rows[0]);
  }

  async revokeSession(id: string, now: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.staff_session SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL`,
      [id, now],
    );
  }

  async revokeSessionsOf(accountId: string, now: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.staff_session SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL`,
      [accountId, now],
    );
  }
}
