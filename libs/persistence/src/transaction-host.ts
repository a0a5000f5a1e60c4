import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor, SYSTEM_ACTOR, SystemActor, actorSettings } from './actor';

/** Writes a unit of work defers to just before its commit (e.g. the audit rows it buffered). */
export type BeforeCommit = () => Promise<void>;

interface UnitOfWork {
  readonly manager: EntityManager;
  readonly actor: Actor;
  /** Registered flushes, in registration order; each runs once per registration. */
  readonly beforeCommit: Map<unknown, BeforeCommit>;
  /** Per-unit-of-work state of deferred writers (their buffers), by key. */
  readonly state: Map<unknown, unknown>;
}

/**
 * The unit of work. `run()` opens a transaction (or joins the one already open in this async context),
 * and every repository reads `manager` so that a state change, its outbox rows and the inbox row of the
 * event that caused it commit together or not at all.
 *
 * Every transaction acts for an explicit actor: the caller's organisation or the service itself. The actor is
 * set transaction-locally (`set_config(..., true)`) as the first statement, so Postgres row-level security
 * policies see it; outside `run()` (the pool's manager) no actor is set and protected tables show nothing.
 *
 * Writers may defer work to the end of the unit of work (`beforeCommit`/`deferred`): e.g. the audit trail and
 * the outbox buffer their rows and write each in one multi-row INSERT just before the transaction commits.
 * A flush that fails rolls the transaction back like any other error.
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
    return this.dataSource.transaction(async (manager) => {
      const [organisationId, system] = actorSettings(actor);
      await manager.query(
        `SELECT set_config('app.organisation_id', $1, true), set_config('app.system', $2, true)`,
        [organisationId, system],
      );
      const unit: UnitOfWork = { manager, actor, beforeCommit: new Map(), state: new Map() };
      return this.storage.run(unit, async () => {
        const result = await work(manager);
        await this.flushAll(unit);
        return result;
      });
    });
  }

  /**
   * Registers `flush` to run once just before the open transaction commits, after the work and in
   * registration order (a flush may register further ones). A key already registered keeps its first flush.
   */
  beforeCommit(key: unknown, flush: BeforeCommit): void {
    const unit = this.storage.getStore();
    if (!unit) throw new Error('beforeCommit() needs an open transaction (TransactionHost.run)');
    if (!unit.beforeCommit.has(key)) unit.beforeCommit.set(key, flush);
  }

  /**
   * The per-unit-of-work state of a deferred writer (created by `create` on first use), whose `flush` runs
   * before commit (or earlier through `flushDeferred(key)`) and is then forgotten, so writes after a flush
   * start a new buffer. Undefined outside a transaction: the caller writes at once.
   */
  deferred<S>(key: unknown, create: () => S, flush: (state: S) => Promise<void>): S | undefined {
    const unit = this.storage.getStore();
    if (!unit) return undefined;
    let state = unit.state.get(key) as S | undefined;
    if (state === undefined) {
      state = create();
      const created = state;
      unit.state.set(key, created);
      unit.beforeCommit.set(key, () => {
        unit.state.delete(key);
        return flush(created);
      });
    }
    return state;
  }

  /** Runs the pending flush of `key` now (before a statement that must see its rows); no-op if none. */
  async flushDeferred(key: unknown): Promise<void> {
    const unit = this.storage.getStore();
    const flush = unit?.beforeCommit.get(key);
    if (!unit || !flush) return;
    unit.beforeCommit.delete(key);
    await flush();
  }

  private async flushAll(unit: UnitOfWork): Promise<void> {
    // Map iteration visits entries added during it, so a flush may register another.
    for (const [key, flush] of unit.beforeCommit) {
      unit.beforeCommit.delete(key);
      await flush();
    }
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
