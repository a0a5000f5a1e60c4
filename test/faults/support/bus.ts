import { jetstream, jetstreamManager, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { ConnectionOptions } from '@nats-io/nats-core';
import { connect, NatsConnection } from '@nats-io/transport-node';
import {
  CONSUMERS,
  ConsumerDefinition,
  EventDefinition,
  EVENTS,
  filterMatches,
  HEADERS,
  ServiceName,
  StreamKey,
} from '@app/contracts';
import { Topology } from '@app/messaging';

/** One message as stored in a stream. */
export interface StoredMessage {
  readonly seq: number;
  /** Registry subject (namespace removed). */
  readonly subject: string;
  readonly msgId: string;
  readonly body: string;
  /** Parsed CloudEvent (undefined when the body is not a JSON object). */
  readonly event?: {
    id?: string;
    source?: string;
    type?: string;
    subject?: string;
    data?: Record<string, unknown>;
  };
}

/** A client of one bus namespace: reads streams, inspects consumers, publishes what a fault test injects. */
export class Bus {
  readonly topology: Topology;

  private constructor(
    private readonly nc: NatsConnection,
    readonly namespace: string,
  ) {
    this.topology = new Topology(namespace);
  }

  /** `options`: e.g. a secured server's user (nkey authenticator, TLS, inbox prefix). */
  static async connect(
    natsUrl: string,
    namespace: string,
    options: Partial<ConnectionOptions> = {},
  ): Promise<Bus> {
    const nc = await connect({
      servers: natsUrl.split(','),
      timeout: 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...options,
    });
    return new Bus(nc, namespace);
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => undefined);
  }

  /** Every message of a stream (in sequence order), read with an ordered consumer. */
  async readStream(key: StreamKey): Promise<StoredMessage[]> {
    const stream = this.topology.streamName(key);
    const jsm = await jetstreamManager(this.nc, { timeout: 10_000 });
    const info = await jsm.streams.info(stream);
    const last = info.state.last_seq;
    if (info.state.messages === 0) return [];
    const consumer = await jetstream(this.nc).consumers.get(stream);
    const messages = await consumer.consume({ max_messages: 500 });
    const out: StoredMessage[] = [];
    for await (const m of messages) {
      const body = m.string();
      let event: StoredMessage['event'];
      try {
        const parsed: unknown = JSON.parse(body);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) event = parsed;
      } catch {
        event = undefined;
      }
      out.push({
        seq: m.seq,
        subject: this.topology.registrySubject(m.subject) ?? m.subject,
        msgId: m.headers?.get(HEADERS.msgId) ?? '',
        body,
        event,
      });
      if (m.seq >= last) break;
    }
    await messages.close();
    return out;
  }

  /** Pending and unacknowledged counts of the durables of these services (0/0 once everything is drained). */
  async consumerBacklog(
    services: readonly ServiceName[],
  ): Promise<Record<string, { pending: number; ackPending: number; redelivered: number }>> {
    const jsm = await jetstreamManager(this.nc, { timeout: 10_000 });
    const out: Record<string, { pending: number; ackPending: number; redelivered: number }> = {};
    for (const consumer of Object.values<ConsumerDefinition>(CONSUMERS)) {
      if (!services.includes(consumer.service)) continue;
      try {
        const info = await jsm.consumers.info(
          this.topology.streamName(consumer.stream),
          this.topology.durable(consumer),
        );
        out[consumer.durable] = {
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
          redelivered: info.num_redelivered,
        };
      } catch {
        // not provisioned (its service is not running): nothing waits on it
      }
    }
    return out;
  }

  async streamReplicas(key: StreamKey): Promise<{ replicas: number; peers: number }> {
    const jsm = await jetstreamManager(this.nc, { timeout: 10_000 });
    const info = await jsm.streams.info(this.topology.streamName(key));
    return { replicas: info.config.num_replicas, peers: (info.cluster?.replicas?.length ?? 0) + 1 };
  }

  /** Publishes a raw body on a registry subject with the given Nats-Msg-Id (and CloudEvents headers). */
  async publishRaw(
    subject: string,
    body: string,
    msgId: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<PubAck> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(extraHeaders)) h.set(k, v);
    return jetstream(this.nc).publish(this.topology.subject(subject), body, { msgID: msgId, headers: h });
  }
}

/** Registry subjects the durables of these services consume that carry a registered event. */
export function consumedEvents(services: readonly ServiceName[]): EventDefinition[] {
  const consumers = Object.values<ConsumerDefinition>(CONSUMERS).filter((c) => services.includes(c.service));
  return Object.values<EventDefinition>(EVENTS).filter(
    (e) =>
      !e.perRecipient &&
      consumers.some((c) => c.stream === e.stream && filterMatches(c.filterSubject, e.subject)),
  );
}

/** The durables of these services that receive a message published on this registry subject. */
export function consumersOf(subject: string, services: readonly ServiceName[]): ConsumerDefinition[] {
  return Object.values<ConsumerDefinition>(CONSUMERS).filter(
    (c) => services.includes(c.service) && filterMatches(c.filterSubject, subject),
  );
}
