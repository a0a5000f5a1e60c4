import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection.service';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { JetStreamServer } from './transport/jetstream.server';

/**
 * Graceful shutdown in the only safe order: stop taking messages and finish the ones in flight, flush the
 * outbox (including what those handlers wrote), then drain the NATS connection. Runs before Nest closes
 * the database pool. Each step gets the shutdown grace period (`SHUTDOWN_GRACE_MS`) and no more: a step that
 * overruns is logged and left behind (a NATS drain that overruns is cut short by closing the connection), so
 * shutdown always ends. Nothing is lost by that: unsettled messages are redelivered, unsent outbox rows stay for
 * the next process.
 */
@Injectable()
export class MessagingLifecycle implements BeforeApplicationShutdown {
  private readonly logger = new Logger(MessagingLifecycle.name);

  constructor(
    private readonly server: JetStreamServer,
    private readonly relay: OutboxRelayService,
    private readonly nats: NatsConnectionService,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    const consumers = await this.withinGrace('consumers', () => this.server.close());
    const relay = await this.withinGrace('outbox relay', () => this.relay.stop());
    const drained = consumers && relay;
    if (!(await this.withinGrace('NATS drain', () => this.nats.close()))) await this.nats.forceClose();
    this.logger.log(drained ? 'messaging drained' : 'messaging stopped (not every step drained in time)');
  }

  /** Runs one shutdown step for at most the grace period (plus a second); false when it had to be left. */
  private async withinGrace(step: string, work: () => Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.options.shutdownGraceMs + 1000);
    });
    try {
      const done = await Promise.race([work().then(() => true as const), overran]);
      if (!done) this.logger.warn(`shutdown: ${step} did not finish within the grace period; left behind`);
      return done;
    } finally {
      clearTimeout(timer);
    }
  }
}
