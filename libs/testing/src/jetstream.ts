import { jetstreamManager } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';
import type { TestDatabase } from './database';
import { waitFor } from './wait-for';

/** Deletes every stream whose name starts with the namespace prefix (test clean-up). */
export async function deleteNamespaceStreams(url: string, namespace: string): Promise<void> {
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ servers: url.split(','), timeout: 2000 });
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${namespace}_`)) await jsm.streams.delete(name);
    }
  } catch {
    // server gone: nothing to clean
  } finally {
    await nc?.close();
  }
}

/** Number of messages stored on one subject of a stream. */
export async function countSubjectMessages(url: string, stream: string, subject: string): Promise<number> {
  const nc = await connect({ servers: url.split(','), timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  } finally {
    await nc.close();
  }
}

/** The JSON bodies stored on one subject of a stream, in stream order (small test streams only). */
export async function subjectMessages(url: string, stream: string, subject: string): Promise<unknown[]> {
  const nc = await connect({ servers: url.split(','), timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc);
    const { state } = await jsm.streams.info(stream);
    const bodies: unknown[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (message?.subject === subject) bodies.push(message.json());
    }
    return bodies;
  } finally {
    await nc.close();
  }
}

/** Whether every consumer on the namespace's streams has been delivered every message and acknowledged it. */
export async function namespaceConsumersIdle(url: string, namespace: string): Promise<boolean> {
  const nc = await connect({ servers: url.split(','), timeout: 2000 });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.names()) {
      if (!stream.startsWith(`${namespace}_`)) continue;
      for await (const consumer of jsm.consumers.list(stream)) {
        if (consumer.num_pending > 0 || consumer.num_ack_pending > 0) return false;
      }
    }
    return true;
  } finally {
    await nc.close();
  }
}

/**
 * Waits until what an accepted request set off in the background is done: the service's outbox (if it has one)
 * is published and every consumer on its namespace (its own included) has handled what the relay put on the bus. A schema
 * fingerprint taken afterwards only changes with the next request.
 */
export async function waitForQuietBus(
  db: TestDatabase,
  service: { schema: string; namespace: string },
  url: string,
): Promise<void> {
  const [{ outbox }] = await db.query<{ outbox: string | null }>(`SELECT to_regclass($1)::text AS outbox`, [
    `"${service.schema}".outbox`,
  ]);
  await waitFor(
    async () =>
      (!outbox || (await db.count(`SELECT count(*) FROM ${outbox} WHERE published_at IS NULL`)) === 0) &&
      (await namespaceConsumersIdle(url, service.namespace)),
    { message: `outbox of ${service.schema} published and consumers of ${service.namespace} idle` },
  );
}
