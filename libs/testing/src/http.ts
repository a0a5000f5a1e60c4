import { jetstream } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/transport-node';
import { EventDefinition, ServiceName } from '@app/contracts';
import { buildEnvelope, Topology } from '@app/messaging';

/** A response as tests inspect it (the JSON body is whatever the endpoint answers). */
export interface HttpResult {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
  body: any;
}

/**
 * One HTTP call to a service under test. `credential`: an organisation API key (X-API-Key) or an ops JWT (three
 * dot-separated parts → Bearer).
 */
export async function httpCall(
  baseUrl: string,
  method: string,
  path: string,
  credential?: string,
  body?: unknown,
): Promise<HttpResult> {
  const isJwt = credential?.split('.').length === 3;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(credential && !isJwt ? { 'X-API-Key': credential } : {}),
      ...(credential && isJwt ? { Authorization: `Bearer ${credential}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  return { status: response.status, body: parsed };
}

/** Publishes an event onto a namespace's stream as its producer would (envelope, msgID de-duplication). */
export async function publishAs<T extends object>(
  nc: NatsConnection,
  topology: Topology,
  producer: ServiceName,
  definition: EventDefinition<T>,
  data: T,
  subject: string,
): Promise<void> {
  const envelope = buildEnvelope(definition, producer, data, { subject });
  await jetstream(nc).publish(topology.subject(definition.subject), JSON.stringify(envelope), {
    msgID: envelope.id,
  });
}
