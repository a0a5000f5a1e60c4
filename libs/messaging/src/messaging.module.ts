import { OutboxMetrics } from './outbox/outbox.metrics';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { DeadLetterRepository } from './dead-letter/dead-letter.repository';
import { DeadLetterService } from './dead-letter/dead-letter.service';
import { InboxRepository } from './inbox/inbox.repository';
import { JetStreamProvisioner } from './jetstream.provisioner';
import { MessagingHealthService } from './messaging-health.service';
import { MessagingLifecycle } from './messaging.lifecycle';
import { MessagingMetrics } from './messaging.metrics';
import { MESSAGING_OPTIONS, MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection.service';
import { EventPublisher } from './outbox/event-publisher';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { JetStreamServer } from './transport/jetstream.server';
import { MessagingRetentionRepository } from './retention/messaging-retention.repository';
import { MessagingRetentionSweeper } from './retention/messaging-retention.sweeper';

/** JetStream backbone for one service: provisioning, outbox + relay, inbox, dead letters, the transport. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        { provide: MessagingMetrics, useFactory: () => new MessagingMetrics() },
        JetStreamProvisioner,
        NatsConnectionService,
        OutboxRepository,
        EventPublisher,
        OutboxRelayService,
        InboxRepository,
        DeadLetterRepository,
        DeadLetterService,
        JetStreamServer,
        MessagingHealthService,
        MessagingLifecycle,
        OutboxMetrics,
        MessagingRetentionRepository,
        MessagingRetentionSweeper,
      ],
      exports: [
        MessagingRetentionSweeper,
        MESSAGING_OPTIONS,
        EventPublisher,
        NatsConnectionService,
        OutboxRelayService,
        DeadLetterService,
        JetStreamServer,
        MessagingHealthService,
        OutboxRepository,
      ],
    };
  }
}
