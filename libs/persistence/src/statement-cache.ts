import { createHash } from 'node:crypto';
import { Client, ClientConfig } from 'pg';

/** SQLSTATEs after which a connection's prepared statement must not be used again. */
const STALE_STATEMENT_CODES = new Set([
  '0A000', // cached plan must not change result type (a table's columns changed under SELECT *)
  '26000', // prepared statement does not exist (DISCARD ALL / DEALLOCATE ran on this connection)
]);

interface PgConnection {
  parsedStatements: Record<string, string>;
}

/**
 * A `pg` client that runs parameterised statements as named prepared statements, so Postgres parses and plans
 * each distinct statement once per connection instead of at every execution (with row-level security policies
 * on every table, planning was most of a statement's server time). What it does not change: statements without
 * parameters (transaction control, DDL) still use the simple protocol, and values are still bound, never inlined.
 *
 * At most `cacheSize` statements are prepared per connection; texts beyond that run unnamed, as before, so
 * statements whose text varies (multi-row VALUES lists) cannot grow a backend's memory without bound. A statement
 * that fails because its prepared form went stale (a migration changed a table's columns, or the session's
 * statements were discarded) is prepared afresh under a new name on its next use; the failing call itself fails
 * as any statement error would, and the caller's retry runs on the fresh statement.
 */
export class PreparingClient extends Client {
  private readonly names = new Map<string, string>();
  private generation = 0;

  constructor(
    config: ClientConfig & { statementCacheSize?: number },
    private readonly cacheSize = config.statementCacheSize ?? 200,
  ) {
    super(config);
  }

  // pg's query() is heavily overloaded; this override only rewrites (text, values[, callback]) calls.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...rest: any[]): any {
    const args = rest as unknown[];
    const [text, values, callback] = args;
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || this.cacheSize <= 0) {
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const name = this.nameFor(text);
    if (name === undefined) return (super.query as (...a: unknown[]) => unknown)(...args);
    const config = { name, text, values };
    if (typeof callback === 'function') {
      return (super.query as (...a: unknown[]) => unknown)(config, (error: unknown, result: unknown) => {
        if (error) this.forgetIfStale(text, name, error);
        (callback as (e: unknown, r: unknown) => void)(error, result);
      });
    }
    return (super.query as (c: unknown) => Promise<unknown>)(config).catch((error: unknown) => {
      this.forgetIfStale(text, name, error);
      throw error;
    });
  }

  private nameFor(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined) return known;
    if (this.names.size >= this.cacheSize) return undefined;
    const name = `rb_${createHash('sha1').update(text).digest('hex').slice(0, 24)}_${this.generation}`;
    this.names.set(text, name);
    return name;
  }

  private forgetIfStale(text: string, name: string, error: unknown): void {
    const code = (error as { code?: unknown })?.code;
    if (typeof code !== 'string' || !STALE_STATEMENT_CODES.has(code)) return;
    // A new generation gives the text a name Postgres has never seen; pg's own record of the old one goes too.
    if (this.names.get(text) === name) this.names.delete(text);
    this.generation++;
    const connection = (this as unknown as { connection?: PgConnection }).connection;
    if (connection?.parsedStatements) delete connection.parsedStatements[name];
  }
}
