import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweeper } from '@app/core';
import { retentionPruned } from '@app/observability';
import { drainInBatches, systemActor, TransactionHost } from '@app/persistence';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { MessagingRetentionRepository } from './messaging-retention.repository';

const RETENTION_ACTOR = systemActor('retention');

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
export class MessagingRetentionSweeper extends PeriodicSweeper {
  constructor(
    private readonly repository: MessagingRetentionRepository,
    private readonly tx: TransactionHost,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    super(
      MessagingRetentionSweeper.name,
      options.retention?.sweepIntervalMs ?? 0,
      async () => {
        const round = await this.prune();
        return round.outbox + round.inbox + round.deadLetters;
      },
      'retention: outbox, inbox and dead-letter rows deleted',
    );
  }

  /** One round over every table; returns what it deleted. */
  async prune(): Promise<RetentionRound> {
    const config = this.options.retention;
    if (!config) return { outbox: 0, inbox: 0, deadLetters: 0 };
    const size = config.batchSize;
    const outbox = await this.drain('outbox', size, () =>
      this.repository.pruneOutbox(config.outboxHours, size),
    );
    const inbox = await this.drain('inbox', size, () => this.repository.pruneInbox(config.inboxDays, size));
    let deadLetters = await this.drain('dead_letter', size, () =>
      this.repository.pruneReplayedDeadLetters(config.replayedDeadLetterDays, size),
    );
    if (config.deadLetterMaxAgeDays > 0) {
      deadLetters += await this.drain('dead_letter', size, () =>
        this.repository.expireDeadLetters(config.deadLetterMaxAgeDays, size),
      );
    }
    return { outbox, inbox, deadLetters };
  }

  private drain(table: string, size: number, batch: () => Promise<number>): Promise<number> {
    return drainInBatches(this.tx, RETENTION_ACTOR, size, batch, (n) => retentionPruned().inc({ table }, n));
  }
}
