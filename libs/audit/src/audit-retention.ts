import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { PeriodicTask, RETENTION_CONFIG, RetentionConfig } from '@app/core';
import { systemActor, TransactionHost } from '@app/persistence';
import { AUDIT_PRUNE_FUNCTION } from './audit-retention.migration';
import { retentionPruned } from '@app/observability';

const RETENTION_ACTOR = systemActor('retention');
/** A round deletes at most this many batches, so one round never holds the database for long. */
const MAX_BATCHES_PER_ROUND = 100;

/**
 * Deletes audit events older than `AUDIT_RETENTION_DAYS` (by the database clock that stamped them) through the
 * database's guarded prune function, which refuses anything under 183 days.
 */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRetention.name);
  private task?: PeriodicTask;

  constructor(
    private readonly tx: TransactionHost,
    @Optional() @Inject(RETENTION_CONFIG) private readonly config?: RetentionConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config || this.config.sweepIntervalMs === 0) return;
    this.task = new PeriodicTask(
      async () => {
        const deleted = await this.prune();
        if (deleted > 0) this.logger.log(`audit events past retention deleted: ${deleted}`);
      },
      this.config.sweepIntervalMs,
      (error) => this.logger.warn(`audit retention: ${error.message}`),
    );
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task?.stop() ?? Promise.resolve();
  }

  /** One round: batches of `RETENTION_BATCH_SIZE` until none is left (or the round's cap); returns the count. */
  async prune(): Promise<number> {
    if (!this.config) return 0;
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_ROUND; batch++) {
      const deleted = await this.tx.run(async () => {
        const rows = await this.tx.manager.query<{ deleted: number }[]>(
          `SELECT ${this.tx.schema}.${AUDIT_PRUNE_FUNCTION}($1, $2) AS deleted`,
          [this.config!.auditDays, this.config!.batchSize],
        );
        return Number(rows[0]?.deleted ?? 0);
      }, RETENTION_ACTOR);
      total += deleted;
      retentionPruned().inc({ table: 'audit_event' }, deleted);
      if (deleted < this.config.batchSize) break;
    }
    return total;
  }
}
