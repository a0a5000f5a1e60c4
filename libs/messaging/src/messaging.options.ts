import { ConsumerDefinition, ServiceName } from '@app/contracts';
import { NatsClientSecurity } from './security/nats-client-security';

export interface MessagingOptions {
  readonly service: ServiceName;
  readonly servers: string[];
  readonly namespace: string;
  /** The durable consumers this service reads (from CONSUMERS). */
  readonly consumers: readonly ConsumerDefinition[];
  readonly outboxPollIntervalMs: number;
  readonly outboxBatchSize: number;
  /** Per consumer: lanes in parallel; one referral's events always take the same lane (in order). */
  readonly consumerLanes: number;
  /** Per lane: already-delivered messages handled in one transaction (never waited for). */
  readonly consumerBatchSize: number;
  readonly shutdownGraceMs: number;
  readonly outboxBacklogReadyLimit: number;
  /** Replicas for streams this service provisions (1 locally, 3 in a cluster). */
  readonly streamReplicas: number;
  /** nkey and TLS of this service's NATS user (none: plain, unauthenticated, as in dev/CI). */
  readonly security?: NatsClientSecurity;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
