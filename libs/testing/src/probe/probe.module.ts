import { DynamicModule, Module } from '@nestjs/common';
import { ConsumerDefinition, SERVICES, STREAMS, EVENTS } from '@app/contracts';
import { AuditModule } from '@app/audit';
import { ServiceConfig } from '@app/core';
import { CreateMessagingTables1763900000000, OutboxNotifyDue1767400000000 } from '@app/messaging';
import { CreateRuntimeRole1763900000500, DatabaseDefinition } from '@app/persistence';
import { ServiceModule } from '@app/platform';
import { ProbeConsumerController, ProbeProducerController } from './probe.controllers';
import { CreateProbeAuditTrail1763900000600, CreateProbeTables1763900000100 } from './probe.migration';
import { ProbeRepository } from './probe.repository';
import { ProbeService } from './probe.service';

export const PROBE_DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [
    CreateMessagingTables1763900000000,
    CreateProbeTables1763900000100,
    CreateRuntimeRole1763900000500,
    CreateProbeAuditTrail1763900000600,
    OutboxNotifyDue1767400000000,
  ],
};

/** Fast retries so fault tests finish in seconds. */
export const PROBE_CONSUMER: ConsumerDefinition = {
  durable: 'probe__referral-discharged',
  service: SERVICES.opsMonitor,
  stream: 'REFERRAL',
  filterSubject: EVENTS.referralDischarged.subject,
  delivery: { ackWaitSeconds: 2, maxDeliver: 4, backoffMs: [200, 400, 800], maxAckPending: 1000 },
  description: `probe consumer on ${STREAMS.REFERRAL.name}`,
};

/** The green channel's lane: a probe consumer's routine lanes yield to it. */
export const PROBE_GREEN_CONSUMER: ConsumerDefinition = {
  durable: 'probe__green-relapse',
  service: SERVICES.opsMonitor,
  stream: 'GREEN',
  filterSubject: EVENTS.greenRelapseReported.subject,
  delivery: PROBE_CONSUMER.delivery,
  description: `probe consumer on ${STREAMS.GREEN.name}`,
};

export type ProbeRole = 'producer' | 'consumer';

@Module({})
export class ProbeAppModule {
  static forRole(
    role: ProbeRole,
    config: Partial<ServiceConfig> = {},
    logDestination?: NodeJS.WritableStream,
  ): DynamicModule {
    const producer = role === 'producer';
    return {
      module: ProbeAppModule,
      imports: [
        ServiceModule.forRoot({
          service: producer ? SERVICES.hospitalIntake : SERVICES.opsMonitor,
          database: PROBE_DATABASE,
          consumers: producer ? [] : [PROBE_CONSUMER, PROBE_GREEN_CONSUMER],
          apiKeyKinds: [],
          config,
          logDestination,
        }),
        AuditModule,
      ],
      controllers: producer ? [ProbeProducerController] : [ProbeConsumerController],
      providers: [ProbeService, ProbeRepository],
    };
  }
}
