import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ConsumerDefinition, ServiceName } from '@app/contracts';
import {
  Clock,
  createValidationPipe,
  loadRetentionConfig,
  loadServiceConfig,
  ProblemDetailsFilter,
  RETENTION_CONFIG,
  RetentionConfig,
  SERVICE_CONFIG,
  ServiceConfig,
  SystemClock,
} from '@app/core';
import { AuthConfig, AuthModule, OrganisationKind } from '@app/auth';
import { MessagingModule } from '@app/messaging';
import { loggingModule, metricsModule } from '@app/observability';
import { DatabaseDefinition, PersistenceModule, runtimeRoleOf } from '@app/persistence';
import { DeadLetterAdminController } from './dead-letter-admin.controller';
import { HealthController } from './health.controller';
import { MetricsListener } from './metrics-listener';
import { NoBodyInterceptor } from './no-body.interceptor';

export interface ServiceModuleOptions {
  readonly service: ServiceName;
  readonly database: DatabaseDefinition;
  /** The durable consumers this service reads, from CONSUMERS (none for a pure producer). */
  readonly consumers: readonly ConsumerDefinition[];
  /** Organisation kinds that call this service with an API key (none: ops users only). */
  readonly apiKeyKinds: readonly OrganisationKind[];
  /** Overrides of the auth environment (tests: short rate-limit windows, grace periods). */
  readonly auth?: Partial<AuthConfig>;
  /** Overrides of the environment (tests). */
  readonly config?: Partial<ServiceConfig>;
  /** Overrides of the retention settings (tests). */
  readonly retention?: Partial<RetentionConfig>;
  /** The time source injected as `Clock` (tests: a ManualClock); a SystemClock otherwise. */
  readonly clock?: Clock;
  readonly logDestination?: NodeJS.WritableStream;
  readonly version?: string;
}

/** What tests may override when they boot a whole service. */
export type ServiceOverrides = Pick<
  ServiceModuleOptions,
  'config' | 'logDestination' | 'auth' | 'clock' | 'retention'
>;

/**
 * Everything a service on the bus needs, composed once: validated config, the Clock, its Postgres schema, the
 * JetStream backbone, logs, metrics, health, authentication + rate limits, the problem+json filter and the
 * whitelisting validation pipe.
 */
@Module({})
export class ServiceModule {
  static forRoot(options: ServiceModuleOptions): DynamicModule {
    const config: ServiceConfig = { ...loadServiceConfig(options.service), ...options.config };
    const retention: RetentionConfig = { ...loadRetentionConfig(), ...options.retention };
    return {
      module: ServiceModule,
      global: true,
      imports: [
        loggingModule({
          service: options.service,
          level: config.logLevel,
          destination: options.logDestination,
        }),
        metricsModule(options.service, options.version ?? process.env.npm_package_version ?? '0.0.0'),
        TerminusModule.forRoot({ logger: false }),
        // Every HTTP endpoint is authenticated by default (one global guard); see @app/auth.
        AuthModule.forRoot({ organisationKinds: options.apiKeyKinds, config: options.auth }),
        PersistenceModule.forRoot(
          {
            url: config.databaseUrl,
            schema: config.dbSchema,
            applicationName: options.service,
            // The app never runs as the table owner: row-level security applies to this role.
            runtimeRole: config.dbRuntimeRole ?? runtimeRoleOf(config.dbSchema),
            // Hot statements are parsed and planned once per connection (row-level security makes planning dear).
            statementCacheSize: config.dbStatementCacheSize,
            // Every consumer lane holds a connection for its batch's transaction; keep room for HTTP and the relay.
            poolSize: config.consumerLanes * Math.max(options.consumers.length, 1) + 10,
          },
          options.database,
        ),
        MessagingModule.forRoot({
          service: options.service,
          servers: config.natsServers,
          namespace: config.busNamespace,
          consumers: options.consumers,
          outboxPollIntervalMs: config.outboxPollIntervalMs,
          outboxHandoffMs: config.outboxHandoffMs,
          outboxBatchSize: config.outboxBatchSize,
          consumerLanes: config.consumerLanes,
          consumerBatchSize: config.consumerBatchSize,
          shutdownGraceMs: config.shutdownGraceMs,
          outboxBacklogReadyLimit: config.outboxBacklogReadyLimit,
          streamReplicas: config.streamReplicas,
          provisioning: config.busProvisioning,
          security: {
            nkeySeedFile: config.natsNkeySeedFile,
            tlsCaFile: config.natsTlsCaFile,
            tlsCertFile: config.natsTlsCertFile,
            tlsKeyFile: config.natsTlsKeyFile,
          },
          retention,
        }),
      ],
      controllers: [HealthController, DeadLetterAdminController],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: RETENTION_CONFIG, useValue: retention },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: NoBodyInterceptor },
        MetricsListener,
      ],
      exports: [SERVICE_CONFIG, RETENTION_CONFIG, Clock],
    };
  }
}
