import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/**
 * The unit of work. `run()` opens a transaction (or joins the one already open in this async context),
 * and every repository reads `manager` so that a state change, its outbox rows and the inbox row of the
 * event that caused it commit together or not at all.
 */
@Injectable()
export class TransactionHost {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  /** The transaction's manager inside `run()`, the pool's manager outside. */
  get manager(): EntityManager {
    return this.storage.getStore() ?? this.dataSource.manager;
  }

  get inTransaction(): boolean {
    return this.storage.getStore() !== undefined;
  }

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.storage.getStore();
    if (current) return work(current);
    return this.dataSource.transaction((manager) => this.storage.run(manager, () => work(manager)));
  }

  /** Runs `work` in a fresh transaction even when one is open (e.g. recording a failure after a rollback). */
  runDetached<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.storage.exit(() => this.run(work));
  }

  /** The schema this service owns (quoted, for raw SQL). */
  get schema(): string {
    const schema = (this.dataSource.options as { schema?: string }).schema ?? 'public';
    return `"${schema.replace(/"/g, '""')}"`;
  }
}
