import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { NatsConnectionService } from './nats-connection.service';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { JetStreamServer } from './transport/jetstream.server';

/**
 * Graceful shutdown in the only safe order: stop taking messages and finish the ones in flight, flush the
 * outbox (including what those handlers wrote), then drain the NATS connection. Runs before Nest closes
 * the database pool.
 */
@Injectable()
export class MessagingLifecycle implements BeforeApplicationShutdown {
  private readonly logger = new Logger(MessagingLifecycle.name);

  constructor(
    private readonly server: JetStreamServer,
    private readonly relay: OutboxRelayService,
    private readonly nats: NatsConnectionService,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.server.close();
    await this.relay.stop();
    await this.nats.close();
    this.logger.log('messaging drained');
  }
}
