import { DynamicModule, Module } from '@nestjs/common';
import { MESSAGING_OPTIONS, MessagingOptions } from '../messaging.options';
import { EventPublisher } from '../outbox/event-publisher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { DeadLetterRepository } from './dead-letter.repository';
import { DeadLetterService } from './dead-letter.service';

/**
 * Dead-letter administration without a NATS connection: replays are written to the service's outbox and
 * the running service's relay publishes them. Used by the `npm run dlq` command.
 */
@Module({})
export class DeadLetterAdminModule {
  static forRoot(options: Pick<MessagingOptions, 'service'>): DynamicModule {
    return {
      module: DeadLetterAdminModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        OutboxRepository,
        EventPublisher,
        DeadLetterRepository,
        DeadLetterService,
      ],
      exports: [DeadLetterService],
    };
  }
}
