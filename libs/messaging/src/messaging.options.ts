import { ConsumerDefinition, ServiceName } from '@app/contracts';
import { BusProvisioning, RetentionConfig } from '@app/core';
import { NatsClientSecurity } from './security/nats-client-security';

export interface MessagingOptions {
  readonly service: ServiceName;
  readonly servers: string[];
  readonly namespace: string;
  /** The durable consumers this service reads (from CONSUMERS). */
  readonly consumers: readonly ConsumerDefinition[];
  readonly outboxPollIntervalMs: number;
  /**
   * The rows a transaction writes are published by the process that committed them right after the commit, and
   * left to the relays only if that has not happened within this many ms (the committing process crashed): the
   * hop skips the relay's wake-up and claim. 0 (or absent): every row goes through the relay.
   */
  readonly outboxHandoffMs?: number;
  readonly outboxBatchSize: number;
  /** Per consumer: lanes in parallel; one referral's events always take the same lane (in order). */
  readonly consumerLanes: number;
  /** Per lane: already-delivered messages handled in one transaction (never waited for). */
  readonly consumerBatchSize: number;
  readonly shutdownGraceMs: number;
  readonly outboxBacklogReadyLimit: number;
  /** Replicas for streams this service provisions (1 locally, 3 in a cluster). */
  readonly streamReplicas: number;
  /**
   * `self` (default): create or update the streams and this service's durables at boot. `verify`: only check
   * they exist (made by `npm run provision` with the admin credential); NATS stays not-ready until they do.
   */
  readonly provisioning?: BusProvisioning;
  /** nkey and TLS of this service's NATS user (none: plain, unauthenticated, as in dev/CI). */
  readonly security?: NatsClientSecurity;
  /** How long the outbox, inbox and dead letters are kept (none: nothing is pruned). */
  readonly retention?: RetentionConfig;
}

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');
