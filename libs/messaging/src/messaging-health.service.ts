import { Inject, Injectable } from '@nestjs/common';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection.service';
import { OutboxBacklog, OutboxRepository } from './outbox/outbox.repository';

export interface ComponentStatus {
  up: boolean;
  [detail: string]: unknown;
}

/** Readiness facts of the messaging layer, for the health endpoint. */
@Injectable()
export class MessagingHealthService {
  constructor(
    private readonly nats: NatsConnectionService,
    private readonly outbox: OutboxRepository,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  natsStatus(): ComponentStatus {
    const problem = this.nats.connected ? undefined : this.nats.problem;
    return { up: this.nats.connected, ...(problem ? { problem } : {}) };
  }

  async outboxBacklog(): Promise<ComponentStatus & OutboxBacklog> {
    const backlog = await this.outbox.backlog();
    return {
      up: backlog.pending <= this.options.outboxBacklogReadyLimit,
      limit: this.options.outboxBacklogReadyLimit,
      ...backlog,
    };
  }
}
