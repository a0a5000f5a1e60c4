import { Client } from 'pg';

/** One statement sent to Postgres while a {@link QueryRecorder} was recording. */
export interface RecordedStatement {
  /** The SQL text, whitespace collapsed. */
  readonly text: string;
  /** The client's `application_name` (each app's pool sets its service name). */
  readonly application: string;
  /** Which client (connection) sent it, numbered in order of first use: groups statements into transactions. */
  readonly connection: number;
}

/** The statements one connection sent from START TRANSACTION to its COMMIT or ROLLBACK. */
export interface RecordedTransaction {
  readonly application: string;
  readonly statements: readonly string[];
  readonly committed: boolean;
}

/**
 * Timer-driven statements no code path makes (every process reloads the ops-token revocation list every 2 s):
 * left out, so a budget counts only what the path under test sends.
 */
const BACKGROUND_STATEMENTS = [/\brevoked_ops_token\b/];

/**
 * Records every statement any `pg` client in this process sends (TypeORM, the relay, raw clients) while
 * active: the round trips a code path makes, so a hot path can be held to a budget by a test. Patches
 * `Client.prototype.query` and restores it on `stop()`.
 */
export class QueryRecorder {
  private readonly original = Client.prototype.query;
  private statements: RecordedStatement[] = [];
  private active = false;

  start(): this {
    if (this.active) return this;
    this.active = true;
    this.statements = [];
    const recorder = this.statements;
    const original = this.original;
    const connections = new WeakMap<Client, number>();
    let nextConnection = 0;
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const config = args[0] as string | { text?: string } | undefined;
      const text = typeof config === 'string' ? config : config?.text;
      if (typeof text === 'string' && !BACKGROUND_STATEMENTS.some((p) => p.test(text))) {
        if (!connections.has(this)) connections.set(this, ++nextConnection);
        recorder.push({
          text: text.replace(/\s+/g, ' ').trim(),
          application:
            (this as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters
              ?.application_name ?? '',
          connection: connections.get(this)!,
        });
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof Client.prototype.query;
    return this;
  }

  /** Stops recording and returns what was recorded. */
  stop(): RecordedStatement[] {
    if (this.active) {
      Client.prototype.query = this.original;
      this.active = false;
    }
    return this.statements;
  }

  /** The statements so far, optionally only those touching `schema` (unquoted schema name). */
  recorded(filter?: { schema?: string; application?: string }): RecordedStatement[] {
    return this.statements.filter(
      (s) =>
        (filter?.schema === undefined || s.text.includes(filter.schema) || isTransactionControl(s.text)) &&
        (filter?.application === undefined || s.application === filter.application),
    );
  }

  /** The complete transactions among `statements` (statements outside a transaction are left out). */
  static transactions(statements: readonly RecordedStatement[]): RecordedTransaction[] {
    const open = new Map<number, { application: string; statements: string[] }>();
    const done: RecordedTransaction[] = [];
    for (const { text, application, connection } of statements) {
      if (/^(START TRANSACTION|BEGIN)\b/i.test(text)) {
        open.set(connection, { application, statements: [text] });
        continue;
      }
      const current = open.get(connection);
      if (!current) continue;
      current.statements.push(text);
      if (/^(COMMIT|ROLLBACK)\b/i.test(text)) {
        open.delete(connection);
        done.push({ ...current, committed: /^COMMIT/i.test(text) });
      }
    }
    return done;
  }

  /** Counts by statement shape (uuids and numbers folded), most frequent first: for a failure message. */
  static summary(statements: readonly RecordedStatement[]): string {
    const counts = new Map<string, number>();
    for (const { text } of statements) {
      const shape = text
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
        .slice(0, 140);
      counts.set(shape, (counts.get(shape) ?? 0) + 1);
    }
    return [...counts]
      .sort((a, b) => b[1] - a[1])
      .map(([shape, n]) => `${String(n).padStart(5)}  ${shape}`)
      .join('\n');
  }
}

function isTransactionControl(text: string): boolean {
  return /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SELECT set_config)/i.test(
    text,
  );
}
