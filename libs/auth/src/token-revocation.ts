import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { TransactionHost } from '@app/persistence';
import { AUTH_CONFIG, AuthConfig } from './auth.config';

/** Something that runs SQL: a pg Client, a TypeORM DataSource or QueryRunner (one connection to revoke). */
export interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const TABLE = 'revoked_ops_token';
const UNDEFINED_TABLE = '42P01';
const INVALID_SCHEMA = '3F000';

/**
 * The one revocation list of ops JWTs, shared by every app and replica: `<schema>.revoked_ops_token` in the
 * database all apps already use (`OPS_REVOCATION_SCHEMA`, default `ops_auth`). Readable by every login (jtis
 * and expiry times are not secret), written only by the operator's `npm run ops:token -- --revoke <jti>`.
 * `db` must be one connection (a pg Client): the revocation is one transaction.
 */
export async function revokeOpsToken(
  db: SqlRunner,
  schema: string,
  jti: string,
  expiresAt: Date,
  revokedBy: string,
): Promise<void> {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(jti)) throw new Error('a jti is 1–128 letters, digits, - or _');
  const s = quote(schema);
  // One transaction: the apps see the list's table only with its grants. Created and granted in two steps, an
  // app reloading in between was refused reading it, took the list as unknown and answered 401 to every ops
  // token until its next reload (ops-token-revocation.e2e-spec failed on it).
  await db.query('BEGIN');
  try {
    await createAndRevoke(db, s, jti, expiresAt, revokedBy);
    await db.query('COMMIT');
  } catch (error) {
    await db.query('ROLLBACK');
    throw error;
  }
}

async function createAndRevoke(
  db: SqlRunner,
  s: string,
  jti: string,
  expiresAt: Date,
  revokedBy: string,
): Promise<void> {
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await db.query(`
    CREATE TABLE IF NOT EXISTS ${s}.${TABLE} (
      jti text PRIMARY KEY,
      revoked_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_by text NOT NULL
    )`);
  await db.query(`GRANT USAGE ON SCHEMA ${s} TO PUBLIC`);
  await db.query(`GRANT SELECT ON ${s}.${TABLE} TO PUBLIC`);
  await db.query(
    `INSERT INTO ${s}.${TABLE} (jti, expires_at, revoked_by) VALUES ($1, $2, $3)
       ON CONFLICT (jti) DO UPDATE SET expires_at = GREATEST(${s}.${TABLE}.expires_at, EXCLUDED.expires_at)`,
    [jti, expiresAt, revokedBy],
  );
  // Entries of tokens that have expired anyway are no longer needed.
  await db.query(`DELETE FROM ${s}.${TABLE} WHERE expires_at < now() - interval '1 hour'`);
}

/** The jtis still worth refusing (their token has not expired yet); empty while nothing was ever revoked. */
export async function loadRevokedJtis(db: SqlRunner, schema: string): Promise<Set<string>> {
  try {
    const result = await db.query(
      `SELECT jti FROM ${quote(schema)}.${TABLE} WHERE expires_at > now() - interval '1 minute'`,
    );
    // A DataSource answers the rows, a pg Client `{ rows }`.
    const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { jti: string }[];
    return new Set(rows.map((r) => r.jti));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return new Set();
    throw error;
  }
}

/**
 * This process's copy of the revocation list, reloaded every `OPS_REVOCATION_POLL_MS` (default 2 s): a revoked
 * token answers 401 in every app and replica within that time. Until the first load succeeds, and whenever a
 * reload fails, ops tokens are refused (fail closed): the list cannot be trusted to be complete.
 */
@Injectable()
export class OpsTokenRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OpsTokenRevocations.name);
  private readonly task: PeriodicTask;
  private revoked?: Set<string>;
  private warned = false;

  constructor(
    private readonly tx: TransactionHost,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {
    this.task = new PeriodicTask(
      () => this.reload(),
      config.revocationPollMs,
      () => undefined,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload();
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  async reload(): Promise<void> {
    try {
      this.revoked = await loadRevokedJtis(this.tx.dataSource, this.config.revocationSchema);
      this.warned = false;
    } catch (error) {
      this.revoked = undefined;
      if (!this.warned)
        this.logger.warn(`ops token revocation list unavailable: ${(error as Error).message}`);
      this.warned = true;
    }
  }

  /** True when the token must be refused: revoked, or the list is not known right now. */
  isRevoked(jti: string): boolean {
    return !this.revoked || this.revoked.has(jti);
  }
}
