import { jetstreamManager } from '@nats-io/jetstream';
import { connect, NatsConnection } from '@nats-io/transport-node';

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
