import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { Actor, SYSTEM_ACTOR, SystemActor, actorSettingsSql } from './actor';

/** Work a unit of work defers to just before its commit. */
export type BeforeCommit = () => Promise<void>;

/** Adds one parameter to the statement being built and returns its placeholder (`$n`). */
export type Bind = (value: unknown) => string;

/**
 * A data-modifying statement (an INSERT …) a deferred writer hands the flush: its SQL, with the placeholder of
 * each value from `bind`, so it can be combined with other writers' statements into one. The writer owns the SQL;
 * the statement must be valid inside `WITH w AS (…)` (no data-modifying WITH of its own).
 */
export type DeferredStatement = (bind: Bind) => string;

/** A statement and its parameters. */
export interface SqlStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/** Renders one deferred statement on its own (e.g. outside a transaction, where the writer writes at once). */
export function renderStatement(statement: DeferredStatement): SqlStatement {
  return combineStatements([statement]);
}

/**
 * Renders statements as one: a single one as it is, several as data-modifying CTEs of one statement
 * (`WITH w1 AS (…), w2 AS (…) SELECT 1`), numbering their parameters in order. Each sub-statement runs once and
 * to completion, under the same row-level security checks and statement triggers as on its own.
 */
export function combineStatements(statements: readonly DeferredStatement[]): SqlStatement {
  const params: unknown[] = [];
  const bind: Bind = (value) => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts = statements.map((statement) => statement(bind));
  const sql =
    parts.length === 1
      ? parts[0]
      : `WITH ${parts.map((part, i) => `w${i + 1} AS (${part})`).join(', ')} SELECT 1`;
  return { sql, params };
}

/** A deferred writer's pending flush: takes its buffer and returns its statement (undefined: nothing to write). */
type PendingWrite = () => DeferredStatement | undefined;

interface UnitOfWork {
  readonly manager: EntityManager;
  readonly actor: Actor;
  /** Registered flushes, in registration order; each runs once per registration. */
  readonly beforeCommit: Map<unknown, BeforeCommit>;
  /** Deferred writers with a buffer to write, in registration order. */
  readonly writes: Map<unknown, PendingWrite>;
  /** Per-unit-of-work state of deferred writers (their buffers), by key. */
  readonly state: Map<unknown, unknown>;
  /** Callbacks to run once the transaction has committed (never after a rollback). */
  readonly afterCommit: (() => void)[];
}

/**
 * The unit of work. `run()` opens a transaction (or joins the one already open in this async context),
 * and every repository reads `manager` so that a state change, its outbox rows and the inbox row of the
 * event that caused it commit together or not at all.
 *
 * Every transaction acts for an explicit actor: the caller's organisation or the service itself. The actor is
 * set transaction-locally (`set_config(..., true)`) in the round trip that starts the transaction, before any
 * work, so Postgres row-level security policies see it; outside `run()` (the pool's manager) no actor is set and
 * protected tables show nothing.
 *
 * Writers may defer their writes to the end of the unit of work (`deferred`): e.g. the audit trail and the
 * outbox buffer their rows, and just before the commit the statements of all of them go to Postgres as one
 * statement. A flush that fails rolls the transaction back like any other error.
 */
@Injectable()
export class TransactionHost {
  private readonly storage = new AsyncLocalStorage<UnitOfWork>();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  /** The transaction's manager inside `run()`, the pool's manager outside. */
  get manager(): EntityManager {
    return this.storage.getStore()?.manager ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  /** The actor of the open transaction (undefined outside `run()`). */
  get actor(): Actor | undefined {
    return this.storage.getStore()?.actor;
  }

  /**
   * Runs `work` in a transaction acting for `actor`. Inside an open transaction it joins it; the joined
   * transaction keeps its actor, and an organisation may not join a transaction opened for another one.
   */
  run<T>(work: (manager: EntityManager) => Promise<T>, actor: Actor): Promise<T> {
    const current = this.storage.getStore();
    if (current) {
      if (
        actor.kind === 'organisation' &&
        current.actor.kind === 'organisation' &&
        current.actor.organisationId !== actor.organisationId
      ) {
        return Promise.reject(
          new Error(
            `Transaction for ${current.actor.organisationId} cannot be joined for ${actor.organisationId}`,
          ),
        );
      }
      // A joined transaction's deferred writes go to the outer unit of work and flush at its commit.
      return work(current.manager);
    }
    const afterCommit: (() => void)[] = [];
    return this.transaction(actor, (manager) => {
      const unit: UnitOfWork = {
        manager,
        actor,
        beforeCommit: new Map(),
        writes: new Map(),
        state: new Map(),
        afterCommit,
      };
      return this.storage.run(unit, async () => {
        const result = await work(manager);
        await this.flushAll(unit);
        return result;
      });
    }).then((result) => {
      for (const callback of afterCommit) callback();
      return result;
    });
  }

  /**
   * Registers `callback` to run after the open transaction commits (never after a rollback; a batch retried
   * after a rollback registers it again): for in-memory effects such as metrics that must count a change once.
   * Synchronous; it must not throw.
   */
  afterCommit(callback: () => void): void {
    const unit = this.storage.getStore();
    if (!unit) throw new Error('afterCommit() needs an open transaction (TransactionHost.run)');
    unit.afterCommit.push(callback);
  }

  /**
   * What `dataSource.transaction()` does (one connection; commit, or roll back and rethrow; release on every
   * path), but the transaction starts with its actor already set: see `begin`.
   */
  private async transaction<T>(actor: Actor, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await this.begin(runner, actor);
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      try {
        // Also after a failed begin: its START may have opened the transaction before the actor failed.
        if (runner.isTransactionActive) await runner.rollbackTransaction();
      } catch {
        // The work's error is the one to report.
      }
      throw error;
    } finally {
      await runner.release();
    }
  }

  /**
   * Starts the transaction through TypeORM, which tracks it (nested `manager.transaction()` calls become
   * savepoints, `save()` sees the open transaction, commit and rollback clear it), and sets the actor in the same
   * round trip: TypeORM's own `START TRANSACTION` goes as a simple-protocol multi-statement with the actor's
   * `set_config`, its values escaped literals (parameters would need a second round trip). With an isolation
   * level configured TypeORM sends `SET TRANSACTION` after START, which must precede any query: then the actor
   * follows as a statement of its own.
   */
  private async begin(runner: QueryRunner, actor: Actor): Promise<void> {
    const settings = actorSettingsSql(actor);
    if (this.dataSource.options.isolationLevel) {
      await runner.startTransaction();
      await runner.query(settings);
      return;
    }
    const query = runner.query;
    const ownQuery = Object.prototype.hasOwnProperty.call(runner, 'query');
    let first = true;
    let actorSet = false;
    runner.query = function (this: QueryRunner, sql: string, ...rest: unknown[]) {
      const start = first && sql === 'START TRANSACTION';
      first = false;
      actorSet ||= start;
      return (query as (sql: string, ...rest: unknown[]) => Promise<unknown>).call(
        this,
        start ? `START TRANSACTION; ${settings}` : sql,
        ...rest,
      );
    } as QueryRunner['query'];
    try {
      await runner.startTransaction();
      // Fail closed: a TypeORM that opens transactions differently must not run work without the actor.
      if (!actorSet) throw new Error('TypeORM did not start the transaction with START TRANSACTION');
    } finally {
      if (ownQuery) runner.query = query;
      else delete (runner as { query?: unknown }).query; // back to the prototype's
    }
  }

  /**
   * Registers `flush` to run once just before the open transaction commits, after the work and before the
   * deferred writes (a flush may buffer more of them or register further flushes), in registration order. A key
   * already registered keeps its first flush.
   */
  beforeCommit(key: unknown, flush: BeforeCommit): void {
    const unit = this.storage.getStore();
    if (!unit) throw new Error('beforeCommit() needs an open transaction (TransactionHost.run)');
    if (!unit.beforeCommit.has(key)) unit.beforeCommit.set(key, flush);
  }

  /**
   * The per-unit-of-work state of a deferred writer (created by `create` on first use). Before the commit (or
   * earlier through `flushDeferred(key)`) `write` turns it into the writer's statement, which goes to Postgres
   * together with the other writers' as one statement; the state is then forgotten, so writes after a flush start
   * a new buffer. Undefined outside a transaction: the caller writes at once.
   */
  deferred<S>(
    key: unknown,
    create: () => S,
    write: (state: S) => DeferredStatement | undefined,
  ): S | undefined {
    const unit = this.storage.getStore();
    if (!unit) return undefined;
    let state = unit.state.get(key) as S | undefined;
    if (state === undefined) {
      state = create();
      const created = state;
      unit.state.set(key, created);
      unit.writes.set(key, () => {
        unit.state.delete(key);
        return write(created);
      });
    }
    return state;
  }

  /** Runs the pending flush or write of `key` now (before a statement that must see its rows); no-op if none. */
  async flushDeferred(key: unknown): Promise<void> {
    const unit = this.storage.getStore();
    if (!unit) return;
    const flush = unit.beforeCommit.get(key);
    if (flush) {
      unit.beforeCommit.delete(key);
      await flush();
    }
    const write = unit.writes.get(key);
    if (write) {
      unit.writes.delete(key);
      await this.execute(unit, [write]);
    }
  }

  private async flushAll(unit: UnitOfWork): Promise<void> {
    while (unit.beforeCommit.size > 0 || unit.writes.size > 0) {
      // Map iteration visits entries added during it, so a flush may register another.
      for (const [key, flush] of unit.beforeCommit) {
        unit.beforeCommit.delete(key);
        await flush();
      }
      const writes = [...unit.writes.values()];
      unit.writes.clear();
      await this.execute(unit, writes);
    }
  }

  /** All the writes' statements in one round trip. */
  private async execute(unit: UnitOfWork, writes: readonly PendingWrite[]): Promise<void> {
    const statements = writes.map((write) => write()).filter((s): s is DeferredStatement => s !== undefined);
    if (statements.length === 0) return;
    const { sql, params } = combineStatements(statements);
    await unit.manager.query(sql, params);
  }

  /** Runs `work` for the service itself (event handlers, relays, sweepers): policies let it see every row. */
  runAsSystem<T>(
    work: (manager: EntityManager) => Promise<T>,
    actor: SystemActor = SYSTEM_ACTOR,
  ): Promise<T> {
    return this.run(work, actor);
  }

  /**
   * Inside an open transaction, runs `work` with the service's own visibility, then restores the actor's.
   * For the step after an organisation's access has been checked under its policies that must see or move
   * rows beyond it (e.g. a declined referral re-routed to another site). The transaction's actor (and so the
   * audit agent) stays the caller.
   */
  async elevated<T>(work: () => Promise<T>): Promise<T> {
    const current = this.storage.getStore();
    if (!current) throw new Error('elevated() needs an open transaction (TransactionHost.run)');
    if (current.actor.kind === 'system') return work();
    await current.manager.query(`SELECT set_config('app.system', 'on', true)`);
    try {
      return await work();
    } finally {
      await current.manager.query(`SELECT set_config('app.system', 'off', true)`);
    }
  }

  /** Runs `work` in a fresh transaction even when one is open (e.g. recording a failure after a rollback). */
  runDetached<T>(work: (manager: EntityManager) => Promise<T>, actor: Actor): Promise<T> {
    return this.storage.exit(() => this.run(work, actor));
  }

  /** The schema this service owns (quoted, for raw SQL). */
  get schema(): string {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    return `"${schema.replace(/"/g, '""')}"`;
  }
}
