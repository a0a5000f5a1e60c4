import {
  CONSUMERS,
  EventDefinition,
  EVENTS,
  REQUESTS,
  RequestDefinition,
  SERVICE_NAMES,
  SERVICES,
  ServiceName,
  SHARED_EVENTS,
  hospitalConsumer,
  providerConsumer,
  RecipientConsumer,
  siteConsumer,
  StreamKey,
  STREAMS,
} from '@app/contracts';
import { Topology } from '../topology';

/**
 * Least-privilege NATS permissions, derived from the registry in `libs/contracts` (EVENTS with their producer,
 * CONSUMERS, REQUESTS, STREAMS). Nothing here is hand-listed: a new event, consumer or request changes the
 * generated server config (`npm run nats:config`), and `--check` fails until it is regenerated.
 */
export interface NatsPermissions {
  /** Subjects the user may publish to (NATS wildcards allowed). */
  readonly publish: readonly string[];
  /** Subjects the user may subscribe to. */
  readonly subscribe: readonly string[];
  /** May answer requests it received (publish once to their reply subject), without a `_INBOX.>` grant. */
  readonly allowResponses: boolean;
}

export type NatsUserKind = 'service' | 'site' | 'provider' | 'hospital' | 'admin';

export interface NatsUser {
  /**
   * Connection/user name: the service name, `site-<siteId>`, `provider-<providerId>`, `hospital-<hospitalId>`
   * or `admin`.
   */
  readonly name: string;
  readonly kind: NatsUserKind;
  readonly description: string;
  readonly permissions: NatsPermissions;
}

const JS_API = '$JS.API';
const RECIPIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Each user gets its own inbox prefix (`_INBOX.<user>`), so replies to one user (JetStream pull batches,
 * publish acks) cannot be read by another: nobody is granted `_INBOX.>`. The client must connect with
 * `inboxPrefix` = this value.
 */
export function inboxPrefixOf(userName: string): string {
  return `_INBOX.${userName}`;
}

export function siteUserName(siteId: string): string {
  assertRecipientId('site', siteId);
  return `site-${siteId}`;
}

export function providerUserName(providerId: string): string {
  assertRecipientId('provider', providerId);
  return `provider-${providerId}`;
}

export function hospitalUserName(hospitalId: string): string {
  assertRecipientId('hospital', hospitalId);
  return `hospital-${hospitalId}`;
}

/** The wire subject pattern a producer publishes an event on (`site.*.referral.assigned` for per-recipient ones). */
function publishPattern(definition: EventDefinition, topology: Topology): string {
  if (!definition.perRecipient) return topology.subject(definition.subject);
  const [root, ...rest] = definition.subject.split('.');
  return topology.subject([root, '*', ...rest].join('.'));
}

/**
 * What a durable pull consumer's owner needs: look it up, pull, ack; and create/update it (its own filter only)
 * unless the admin step provisions it.
 */
function durableConsumerGrants(
  topology: Topology,
  consumer: { durable: string; stream: StreamKey; filterSubject: string },
  mayCreate = true,
): string[] {
  const stream = topology.streamName(consumer.stream);
  const durable = topology.durable(consumer);
  return [
    `${JS_API}.CONSUMER.INFO.${stream}.${durable}`,
    // nats-server >= 2.9 and nats.js v3 name the filter in the subject, so the grant pins it.
    ...(mayCreate
      ? [`${JS_API}.CONSUMER.CREATE.${stream}.${durable}.${topology.subject(consumer.filterSubject)}`]
      : []),
    `${JS_API}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ];
}

/**
 * `adminProvisioning`: the streams and durables are made by `npm run provision` (the admin user) and the services
 * run with BUS_PROVISIONING=verify, so a service may look them up but not create or change them.
 */
export function servicePermissions(
  service: ServiceName,
  topology: Topology,
  adminProvisioning = false,
): NatsPermissions {
  const publish = new Set<string>();
  // jetstreamManager() checks the account once.
  publish.add(`${JS_API}.INFO`);
  // Each service checks the streams of the registry at boot; without the admin step it creates or updates them.
  const streamVerbs = adminProvisioning ? ['INFO'] : ['INFO', 'CREATE', 'UPDATE'];
  for (const key of Object.keys(STREAMS) as StreamKey[]) {
    const name = topology.streamName(key);
    for (const verb of streamVerbs) publish.add(`${JS_API}.STREAM.${verb}.${name}`);
  }
  for (const consumer of Object.values(CONSUMERS).filter((c) => c.service === service)) {
    for (const grant of durableConsumerGrants(topology, consumer, !adminProvisioning)) publish.add(grant);
  }
  const events = Object.values<EventDefinition>(EVENTS).filter(
    (e) => e.producer === service || SHARED_EVENTS.includes(e),
  );
  for (const definition of events) publish.add(publishPattern(definition, topology));
  const answers = Object.values<RequestDefinition>(REQUESTS).filter((r) => r.responder === service);
  // A service may read the per-recipient notices it publishes itself, live (rehab-site's SSE stream of a site).
  const ownNotices = events
    .filter((e) => e.perRecipient && e.producer === service)
    .map((e) => publishPattern(e, topology));
  return {
    publish: [...publish].sort(),
    subscribe: [
      inboxPrefixOf(service) + '.>',
      ...answers.map((r) => topology.subject(r.subject)),
      ...ownNotices,
    ].sort(),
    allowResponses: answers.length > 0,
  };
}

/** An organisation on the bus reading its own notices, live or through its own durable. Publishes nothing else. */
function recipientPermissions(
  userName: string,
  consumer: RecipientConsumer,
  topology: Topology,
): NatsPermissions {
  return {
    publish: durableConsumerGrants(topology, consumer).sort(),
    subscribe: [inboxPrefixOf(userName) + '.>', topology.subject(consumer.filterSubject)].sort(),
    allowResponses: false,
  };
}

/** A site on the bus: its own `site.<siteId>.>` notices (durable `site__<siteId>` on SITE). */
export function sitePermissions(siteId: string, topology: Topology): NatsPermissions {
  return recipientPermissions(siteUserName(siteId), siteConsumer(siteId), topology);
}

/** An employment provider on the bus: its own `provider.<providerId>.>` notices (durable on PROVIDER). */
export function providerPermissions(providerId: string, topology: Topology): NatsPermissions {
  return recipientPermissions(providerUserName(providerId), providerConsumer(providerId), topology);
}

/**
 * A hospital system on the bus: submits discharges by request/reply, reads only its own replies and its own
 * `hospital.<hospitalId>.>` notices (green cases), live or through its own durable on HOSPITAL.
 */
export function hospitalPermissions(hospitalId: string, topology: Topology): NatsPermissions {
  const consumer = hospitalConsumer(hospitalId);
  return {
    publish: [
      ...Object.values<RequestDefinition>(REQUESTS)
        .filter((r) => r.responder === SERVICES.hospitalIntake)
        .map((r) => topology.subject(r.subject)),
      ...durableConsumerGrants(topology, consumer),
    ].sort(),
    subscribe: [
      inboxPrefixOf(hospitalUserName(hospitalId)) + '.>',
      topology.subject(consumer.filterSubject),
    ].sort(),
    allowResponses: false,
  };
}

/**
 * Operators' tools (`npm run check:durability`, stream maintenance, provisioning a site's durable): the
 * JetStream API only. It may not publish events or subscribe to event subjects.
 */
export function adminPermissions(): NatsPermissions {
  return { publish: [`${JS_API}.>`], subscribe: [inboxPrefixOf('admin') + '.>'], allowResponses: false };
}

export interface BusUsersOptions {
  readonly topology: Topology;
  readonly sites?: readonly string[];
  readonly providers?: readonly string[];
  readonly hospitals?: readonly string[];
  /** Streams and durables made by `npm run provision` (admin); services may not create or change them. */
  readonly adminProvisioning?: boolean;
}

/** Every NATS user of the bus: one per service, one per site, provider and hospital that connects, and `admin`. */
export function busUsers({
  topology,
  sites = [],
  providers = [],
  hospitals = [],
  adminProvisioning = false,
}: BusUsersOptions): NatsUser[] {
  const users: NatsUser[] = SERVICE_NAMES.map((service) => ({
    name: service,
    kind: 'service' as const,
    description: `service ${service}`,
    permissions: servicePermissions(service, topology, adminProvisioning),
  }));
  for (const siteId of [...new Set(sites)].sort()) {
    users.push({
      name: siteUserName(siteId),
      kind: 'site',
      description: `rehab site ${siteId}: only site.${siteId}.>`,
      permissions: sitePermissions(siteId, topology),
    });
  }
  for (const providerId of [...new Set(providers)].sort()) {
    users.push({
      name: providerUserName(providerId),
      kind: 'provider',
      description: `employment provider ${providerId}: only provider.${providerId}.>`,
      permissions: providerPermissions(providerId, topology),
    });
  }
  for (const hospitalId of [...new Set(hospitals)].sort()) {
    users.push({
      name: hospitalUserName(hospitalId),
      kind: 'hospital',
      description: `hospital ${hospitalId}: discharge requests and only hospital.${hospitalId}.>`,
      permissions: hospitalPermissions(hospitalId, topology),
    });
  }
  users.push({
    name: 'admin',
    kind: 'admin',
    description: 'operators: JetStream API only',
    permissions: adminPermissions(),
  });
  return users;
}

function assertRecipientId(kind: string, id: string): void {
  if (!RECIPIENT_ID.test(id)) throw new Error(`invalid ${kind} id "${id}": use letters, digits, - and _`);
}
