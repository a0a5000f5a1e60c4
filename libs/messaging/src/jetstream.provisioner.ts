import { Injectable, Logger } from '@nestjs/common';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  JetStreamManager,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { ConsumerDefinition, CONSUMERS, StreamKey, STREAMS } from '@app/contracts';
import { MessagingOptions } from './messaging.options';
import { Topology } from './topology';

/** BUS_PROVISIONING=verify found streams or durables missing: the admin step has not run for this bus. */
export class BusNotProvisionedError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      `not provisioned: ${missing.join(', ')} missing; run \`npm run provision\` with the admin NATS credential ` +
        '(services with BUS_PROVISIONING=verify do not create streams or durables)',
    );
  }
}

/** What `rewind` did to one durable. */
export interface RewoundConsumer {
  readonly stream: string;
  readonly durable: string;
  /** The stream sequence the durable had acknowledged up to (undefined: it did not exist). */
  readonly ackFloorBefore: number | undefined;
  /** Messages it will deliver from the start time on. */
  readonly redeliver: number;
}

/** Extra server-side deliveries beyond the client's dead-letter point, so a failed dead-letter write is retried. */
export const SERVER_DELIVERY_HEADROOM = 5;

/** Creates or updates the streams in the registry and this service's durable consumers. Idempotent. */
@Injectable()
export class JetStreamProvisioner {
  private readonly logger = new Logger(JetStreamProvisioner.name);

  streamConfig(
    key: StreamKey,
    topology: Topology,
    replicas: number,
  ): Partial<StreamConfig> & { name: string } {
    const stream = STREAMS[key];
    return {
      name: topology.streamName(key),
      subjects: topology.streamSubjects(stream),
      description: stream.description,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(stream.maxAgeSeconds * 1000),
      duplicate_window: nanos(stream.duplicateWindowSeconds * 1000),
      num_replicas: replicas,
      allow_direct: true,
    };
  }

  consumerConfig(consumer: ConsumerDefinition, topology: Topology) {
    return {
      durable_name: topology.durable(consumer),
      description: consumer.description,
      filter_subject: topology.subject(consumer.filterSubject),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      replay_policy: ReplayPolicy.Instant,
      ack_wait: nanos(consumer.delivery.ackWaitSeconds * 1000),
      max_deliver: consumer.delivery.maxDeliver + SERVER_DELIVERY_HEADROOM,
      max_ack_pending: consumer.delivery.maxAckPending,
    };
  }

  /**
   * `npm run provision` (the admin step): every stream and every durable of the registry, whichever service
   * reads it. Services running with `BUS_PROVISIONING=verify` then only check that theirs exist.
   */
  provisionAll(jsm: JetStreamManager, topology: Topology, streamReplicas: number): Promise<void> {
    return this.provision(jsm, topology, { streamReplicas, consumers: Object.values(CONSUMERS) });
  }

  /**
   * Checks that the streams and this service's durables exist, without creating or changing anything; throws
   * a BusNotProvisionedError naming what is missing.
   */
  async verify(
    jsm: JetStreamManager,
    topology: Topology,
    options: Pick<MessagingOptions, 'consumers'>,
  ): Promise<void> {
    const missing: string[] = [];
    const exists = async (what: string, lookup: () => Promise<unknown>) => {
      try {
        await lookup();
      } catch (error) {
        if (!isNotFound(error)) throw error;
        missing.push(what);
      }
    };
    for (const key of Object.keys(STREAMS) as StreamKey[]) {
      const name = topology.streamName(key);
      await exists(`stream ${name}`, () => jsm.streams.info(name));
    }
    for (const consumer of options.consumers) {
      const stream = topology.streamName(consumer.stream);
      const durable = topology.durable(consumer);
      await exists(`consumer ${stream}/${durable}`, () => jsm.consumers.info(stream, durable));
    }
    if (missing.length > 0) throw new BusNotProvisionedError(missing);
  }

  async provision(
    jsm: JetStreamManager,
    topology: Topology,
    options: Pick<MessagingOptions, 'consumers' | 'streamReplicas'>,
  ): Promise<void> {
    for (const key of Object.keys(STREAMS) as StreamKey[]) {
      await this.ensureStream(jsm, this.streamConfig(key, topology, options.streamReplicas));
    }
    for (const consumer of options.consumers) {
      const config = this.consumerConfig(consumer, topology);
      const stream = topology.streamName(consumer.stream);
      try {
        await jsm.consumers.info(stream, config.durable_name);
        await jsm.consumers.update(stream, config.durable_name, {
          description: config.description,
          ack_wait: config.ack_wait,
          max_deliver: config.max_deliver,
          max_ack_pending: config.max_ack_pending,
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await jsm.consumers.add(stream, config);
        this.logger.log(`created consumer ${stream}/${config.durable_name}`);
      }
    }
  }

  /**
   * After a database restore: deletes each durable and creates it again from the registry with
   * deliver_policy by_start_time at `since` (nats-server 2.9 cannot move a durable's position in place), so
   * every message stored since then is delivered again; the restored inboxes drop what was handled before the
   * backup. Run with the apps stopped. Answers, per durable, where it stood and how much it will re-deliver.
   */
  async rewind(
    jsm: JetStreamManager,
    topology: Topology,
    consumers: readonly ConsumerDefinition[],
    since: Date,
  ): Promise<RewoundConsumer[]> {
    const rewound: RewoundConsumer[] = [];
    for (const consumer of consumers) {
      const config = this.consumerConfig(consumer, topology);
      const stream = topology.streamName(consumer.stream);
      let ackFloor: number | undefined;
      try {
        ackFloor = (await jsm.consumers.info(stream, config.durable_name)).ack_floor.stream_seq;
        await jsm.consumers.delete(stream, config.durable_name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      const info = await jsm.consumers.add(stream, {
        ...config,
        deliver_policy: DeliverPolicy.StartTime,
        opt_start_time: since.toISOString(),
      });
      rewound.push({
        stream,
        durable: config.durable_name,
        ackFloorBefore: ackFloor,
        redeliver: info.num_pending,
      });
    }
    return rewound;
  }

  private async ensureStream(
    jsm: JetStreamManager,
    config: Partial<StreamConfig> & { name: string },
  ): Promise<void> {
    try {
      await jsm.streams.info(config.name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await jsm.streams.add(config);
        this.logger.log(`created stream ${config.name}`);
      } catch (addError) {
        // Another service created it at the same moment.
        if (!(addError instanceof JetStreamApiError && addError.code === 10058)) throw addError;
      }
      return;
    }
    const { name, storage: _storage, retention: _retention, ...mutable } = config;
    await jsm.streams.update(name, mutable);
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === 10059 || error.code === 10014 || error.status === 404)
  );
}
