import { ConsumerDefinition, StreamDefinition, StreamKey, STREAMS } from '@app/contracts';

/**
 * Resolves registry names to the names used on the server. A non-empty namespace prefixes every stream,
 * subject and durable, so isolated runs (tests, benches) share one server without seeing each other.
 */
export class Topology {
  constructor(readonly namespace = '') {}

  streamName(key: StreamKey): string {
    return this.namespace ? `${this.namespace}_${STREAMS[key].name}` : STREAMS[key].name;
  }

  streamSubjects(stream: StreamDefinition): string[] {
    return [this.subject(`${stream.subjectRoot}.>`)];
  }

  subject(registrySubject: string): string {
    return this.namespace ? `${this.namespace}.${registrySubject}` : registrySubject;
  }

  /** The registry subject of a subject seen on the wire, or undefined when it is outside this namespace. */
  registrySubject(wireSubject: string): string | undefined {
    if (!this.namespace) return wireSubject;
    const prefix = `${this.namespace}.`;
    return wireSubject.startsWith(prefix) ? wireSubject.slice(prefix.length) : undefined;
  }

  durable(consumer: Pick<ConsumerDefinition, 'durable'>): string {
    return this.namespace ? `${this.namespace}_${consumer.durable}` : consumer.durable;
  }
}
