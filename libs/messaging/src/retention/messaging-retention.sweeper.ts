import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { retentionPruned } from '@app/observability';
import { systemActor, TransactionHost } from '@app/persistence';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingRetentionRepository } from './messaging-retention.repository';

const RETENTION_ACTOR = systemActor('retention');
/** A round deletes at most this many batches per table, so one round never holds the database for long. */
const MAX_BATCHES_PER_ROUND = 100;

export interface RetentionRound {
  readonly outbox: number;
  readonly inbox: number;
  readonly deadLetters: number;
}

/**
 * Prunes the messaging bookkeeping on the service's retention settings (`RetentionConfig`): published outbox
 * rows after the duplicate window is long past, inbox rows after every way their event could come back has
 * closed, replayed dead letters after a while, never-replayed ones only if an expiry is configured. Safe to run
 * in every replica at once (batches skip rows another one holds).
 */
@Injectable()
export class MessagingRetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MessagingRetentionSweeper.name);
  private task?: PeriodicTask;

  constructor(
    private readonly repository: MessagingRetentionRepository,
    private readonly tx: TransactionHost,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap(): void {
    const interval = this.options.retention?.sweepIntervalMs ?? 0;
    if (interval === 0) return;
    this.task = new PeriodicTask(
      async () => {
        const round = await this.prune();
        const total = round.outbox + round.inbox + round.deadLetters;
        if (total > 0) this.logger.log(`retention: ${JSON.stringify(round)}`);
      },
      interval,
      (error) => this.logger.warn(`retention: ${error.message}`),
    );
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task?.stop() ?? Promise.resolve();
  }

  /** One round over every table; returns what it deleted. */
  async prune(): Promise<RetentionRound> {
    const config = this.options.retention;
    if (!config) return { outbox: 0, inbox: 0, deadLetters: 0 };
    const size = config.batchSize;
    const outbox = await this.drain(
      'outbox',
      () => this.repository.pruneOutbox(config.outboxHours, size),
      size,
    );
    const inbox = await this.drain('inbox', () => this.repository.pruneInbox(config.inboxDays, size), size);
    let deadLetters = await this.drain(
      'dead_letter',
      () => this.repository.pruneReplayedDeadLetters(config.replayedDeadLetterDays, size),
      size,
    );
    if (config.deadLetterMaxAgeDays > 0) {
      deadLetters += await this.drain(
        'dead_letter',
        () => this.repository.expireDeadLetters(config.deadLetterMaxAgeDays, size),
        size,
      );
    }
    return { outbox, inbox, deadLetters };
  }

  private async drain(table: string, batch: () => Promise<number>, size: number): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_ROUND; i++) {
      const deleted = await this.tx.run(batch, RETENTION_ACTOR);
      total += deleted;
      retentionPruned().inc({ table }, deleted);
      if (deleted < size) break;
    }
    return total;
  }
}
