import { AckPolicy, ConsumerInfo, JetStreamManager, StorageType, StreamInfo } from '@nats-io/jetstream';
import { millis } from '@nats-io/nats-core';
import { CONSUMERS, ConsumerDefinition, StreamKey, STREAMS } from '@app/contracts';
import { Topology } from '../topology';

export type FindingLevel = 'error' | 'warning' | 'ok';

export interface Finding {
  readonly level: FindingLevel;
  readonly subject: string;
  readonly check: string;
  readonly detail: string;
}

export interface ServerFacts {
  readonly version: string;
  /** Set when the server is part of a cluster. */
  readonly cluster?: string;
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  return a > major || (a === major && b >= minor);
}

/**
 * Judges what the server, streams and consumers are configured to do against what the referral bus needs
 * to lose nothing. Pure: the command gathers the facts, this decides.
 */
export function judgeDurability(
  server: ServerFacts,
  streams: ReadonlyMap<StreamKey, StreamInfo | undefined>,
  consumers: ReadonlyMap<ConsumerDefinition, ConsumerInfo | undefined>,
  topology: Topology,
): Finding[] {
  const findings: Finding[] = [];
  const add = (level: FindingLevel, subject: string, check: string, detail: string) =>
    findings.push({ level, subject, check, detail });
  const clustered = server.cluster !== undefined && server.cluster !== '';

  if (versionAtLeast(server.version, 2, 10)) {
    add(
      'warning',
      `server ${server.version}`,
      'sync_interval',
      'a client cannot read it: make sure the server config sets jetstream { sync_interval: always }',
    );
  } else {
    add(
      'warning',
      `server ${server.version}`,
      'sync_interval',
      'this server version has no sync_interval: acks precede fsync (use >= 2.10 with sync_interval: always in production)',
    );
  }
  if (!clustered) {
    add(
      'warning',
      `server ${server.version}`,
      'cluster',
      'single server: one disk failure loses acknowledged events',
    );
  }

  for (const [key, info] of streams) {
    const name = topology.streamName(key);
    if (!info) {
      add(
        'error',
        `stream ${name}`,
        'exists',
        'missing: start a service (it provisions the streams) or create it',
      );
      continue;
    }
    const c = info.config;
    if (c.storage !== StorageType.File)
      add('error', `stream ${name}`, 'storage', `${c.storage} storage loses events on restart`);
    else add('ok', `stream ${name}`, 'storage', 'file');
    if (clustered && (c.num_replicas ?? 1) < 3)
      add('error', `stream ${name}`, 'replicas', `${c.num_replicas} < 3 in a cluster`);
    else add('ok', `stream ${name}`, 'replicas', String(c.num_replicas ?? 1));
    const window = millis(c.duplicate_window ?? 0);
    const wanted = STREAMS[key].duplicateWindowSeconds * 1000;
    if (window < wanted)
      add(
        'warning',
        `stream ${name}`,
        'duplicate_window',
        `${window} ms < the ${wanted} ms the relay relies on`,
      );
    else add('ok', `stream ${name}`, 'duplicate_window', `${window} ms`);
    if ((c.max_msgs ?? -1) > 0 || (c.max_bytes ?? -1) > 0) {
      add('warning', `stream ${name}`, 'limits', 'size limits discard events before consumers read them');
    }
  }

  for (const [definition, info] of consumers) {
    const name = `${topology.streamName(definition.stream)}/${topology.durable(definition)}`;
    if (!info) {
      add('warning', `consumer ${name}`, 'exists', 'not provisioned yet (its service has not started)');
      continue;
    }
    const c = info.config;
    if (c.ack_policy !== AckPolicy.Explicit)
      add('error', `consumer ${name}`, 'ack_policy', `${c.ack_policy}: must be explicit`);
    if ((c.max_deliver ?? -1) < 1)
      add('error', `consumer ${name}`, 'max_deliver', 'unbounded: a poison message loops forever');
    else if (c.max_deliver! <= definition.delivery.maxDeliver) {
      add(
        'error',
        `consumer ${name}`,
        'max_deliver',
        `${c.max_deliver} leaves no room to retry a failed dead-letter write`,
      );
    } else add('ok', `consumer ${name}`, 'max_deliver', String(c.max_deliver));
    if (info.num_ack_pending >= (c.max_ack_pending ?? 1000)) {
      add('warning', `consumer ${name}`, 'max_ack_pending', 'reached: delivery is paused');
    }
  }
  return findings;
}

export interface DurabilityReport {
  readonly server: ServerFacts;
  readonly findings: Finding[];
  readonly errors: number;
  readonly warnings: number;
}

/** Reads the facts from a live server and judges them. */
export async function checkDurability(
  jsm: JetStreamManager,
  server: ServerFacts,
  topology: Topology,
): Promise<DurabilityReport> {
  const streams = new Map<StreamKey, StreamInfo | undefined>();
  for (const key of Object.keys(STREAMS) as StreamKey[]) {
    streams.set(key, await jsm.streams.info(topology.streamName(key)).catch(() => undefined));
  }
  const consumers = new Map<ConsumerDefinition, ConsumerInfo | undefined>();
  for (const definition of Object.values<ConsumerDefinition>(CONSUMERS)) {
    consumers.set(
      definition,
      await jsm.consumers
        .info(topology.streamName(definition.stream), topology.durable(definition))
        .catch(() => undefined),
    );
  }
  const findings = judgeDurability(server, streams, consumers, topology);
  return {
    server,
    findings,
    errors: findings.filter((f) => f.level === 'error').length,
    warnings: findings.filter((f) => f.level === 'warning').length,
  };
}
