import { Inject, Injectable, Optional } from '@nestjs/common';
import { PeriodicSweeper, RETENTION_CONFIG, RetentionConfig } from '@app/core';
import { retentionPruned } from '@app/observability';
import { drainInBatches, systemActor, TransactionHost } from '@app/persistence';
import { AUDIT_PRUNE_FUNCTION } from './audit-retention.migration';

const RETENTION_ACTOR = systemActor('retention');

/**
 * Deletes audit events older than `AUDIT_RETENTION_DAYS` (by the database clock that stamped them) through the
 * database's guarded prune function, which refuses anything under 183 days.
 */
@Injectable()
export class AuditRetention extends PeriodicSweeper {
  constructor(
    private readonly tx: TransactionHost,
    @Optional() @Inject(RETENTION_CONFIG) private readonly config?: RetentionConfig,
  ) {
    super(
      AuditRetention.name,
      config?.sweepIntervalMs ?? 0,
      () => this.prune(),
      'audit events past retention deleted',
    );
  }

  /** One round: batches of `RETENTION_BATCH_SIZE` until none is left (or the round's cap); returns the count. */
  async prune(): Promise<number> {
    const config = this.config;
    if (!config) return 0;
    return drainInBatches(
      this.tx,
      RETENTION_ACTOR,
      config.batchSize,
      async () => {
        const rows = await this.tx.manager.query<{ deleted: number }[]>(
          `SELECT ${this.tx.schema}.${AUDIT_PRUNE_FUNCTION}($1, $2) AS deleted`,
          [config.auditDays, config.batchSize],
        );
        return Number(rows[0]?.deleted ?? 0);
      },
      (n) => retentionPruned().inc({ table: 'audit_event' }, n),
    );
  }
}
