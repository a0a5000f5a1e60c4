/**
 * `npm run asyncapi`: writes the bus's AsyncAPI 3.0 document (`docs/asyncapi.yaml`) and one JSON Schema per
 * event's `data` (`docs/events/schemas/<event type>.json`), all generated from the registry in `libs/contracts`
 * (EVENTS, CONSUMERS, STREAMS, HEADERS) and the class-validator DTOs.
 *
 * `--check` (`npm run asyncapi:check`) writes nothing and exits 1 when the committed files differ from a fresh
 * generation (stale, missing or extra files). Both modes first validate the document with @asyncapi/parser and
 * refuse (exit 1) on any error diagnostic.
 *
 * The output is deterministic: it depends only on the registry (no dates, no absolute paths), maps whose
 * order could vary are sorted, and JSON Schemas have a fixed keyword order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import {
  canonicalSchema,
  CONSUMERS,
  ConsumerDefinition,
  COMPONENTS_REF_PREFIX,
  dataSchemaName,
  dtoSchemas,
  EventDefinition,
  eventDataSchemas,
  EVENTS,
  envelopeSchema,
  filterMatches,
  HEADERS,
  JsonSchema,
  RequestDefinition,
  REQUESTS,
  SHARED_EVENTS,
  STREAMS,
} from '@app/contracts';
import { writeGeneratedFiles } from './generated-files';

export const ASYNCAPI_FILE = 'docs/asyncapi.yaml';
export const SCHEMA_DIR = 'docs/events/schemas';

/** AsyncAPI operation binding version of NATS bindings. */
const NATS_BINDING_VERSION = '0.1.0';
const CONTENT_TYPE = 'application/cloudevents+json';

type Doc = { [key: string]: unknown };

const eventEntries = (): [string, EventDefinition][] => Object.entries<EventDefinition>(EVENTS);
const consumerEntries = (): [string, ConsumerDefinition][] => Object.entries<ConsumerDefinition>(CONSUMERS);

const DESCRIPTION = `Message bus that carries discharged psychiatric patients from hospitals to community rehabilitation sites
(with consent), on to employment services when they are ready, and back to hospital through the green channel when
they relapse. Every service publishes and consumes CloudEvents over NATS JetStream; no service reads another's tables.

Generated from the registry in \`libs/contracts\` (EVENTS, CONSUMERS, STREAMS) by \`npm run asyncapi\`; do not edit
by hand. \`npm run asyncapi:check\` fails when this file is stale. The JSON Schema (draft-07) of each event's
\`data\` is also published on its own in \`${SCHEMA_DIR}/<event type>.json\`.

## Messages

The NATS message body is a CloudEvents 1.0 structured-mode JSON object (\`Content-Type: ${CONTENT_TYPE}\`):
\`specversion\`, \`id\`, \`source\` (\`/<service>\`), \`type\` (\`cn.referralbus.<subject>.v<n>\`), \`subject\` (the
referral id, never PII), \`time\`, \`datacontenttype\`, \`correlationid\`, optional \`causationid\`, and \`data\`.
Identifying data only ever travels sealed (AES-256-GCM) for the one service allowed to open it. Headers:
\`${HEADERS.msgId}\` (= event id), \`${HEADERS.traceparent}\` (W3C trace context), \`${HEADERS.correlationId}\`,
\`${HEADERS.eventType}\` and \`${HEADERS.contentType}\`. Consumers ignore fields they do not know, so adding an
optional field is compatible; anything else is a new \`type\` version.

## Guarantees

- **Transactional outbox.** A state change and the events it causes commit in one Postgres transaction; a relay
  publishes them afterwards and marks them sent only after JetStream acknowledged them. An event is never lost
  and never published for a change that rolled back.
- **At-least-once delivery.** Streams use file storage and durable pull consumers; a message is acknowledged only
  after its handler's transaction committed, so it can be delivered more than once (and published more than once:
  JetStream drops re-publications with the same \`${HEADERS.msgId}\` within the stream's duplicate window).
- **Inbox de-duplication = one effect.** Every consumer records \`(consumer, event id)\` in the same transaction
  as its effect; a redelivered event is acknowledged without running again.
- **Ordering per referral.** The relay publishes one referral's events in commit order (the outbox ordering key
  is the referral id). Events of different referrals are not ordered relative to each other, and a redelivery can
  arrive after a later event.
- **Dead letters.** A transient failure is retried with backoff (per-consumer policy below); a permanent failure
  or the last allowed delivery parks the message in the consumer's dead-letter table, publishes a \`dlq.recorded\`
  record and an ops alert, and terminates the message. Ops can replay it.
- **Green channel first.** Relapse events have their own stream (GREEN) and consumers with a faster retry policy,
  so a backlog on REFERRAL never delays them.

## Naming

Subjects, streams and durable consumer names here are the registry names. Isolated test runs may prefix them with
a namespace at runtime. Each receive operation's NATS \`queue\` binding is the durable JetStream consumer name.`;

/** A per-recipient event is addressed `<root>.{recipientId}.<rest>` on the wire (see recipientSubject). */
function channelAddress(definition: EventDefinition): string {
  if (!definition.perRecipient) return definition.subject;
  const [root, ...rest] = definition.subject.split('.');
  return [root, '{recipientId}', ...rest].join('.');
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function headersSchema(definition: EventDefinition): JsonSchema {
  return canonicalSchema({
    type: 'object',
    properties: {
      [HEADERS.msgId]: {
        type: 'string',
        minLength: 1,
        description:
          'JetStream de-duplication id: the CloudEvent id (a replay id when ops replay a dead letter).',
      },
      [HEADERS.traceparent]: {
        type: 'string',
        pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$',
        description: 'W3C trace context of the request or message that caused the event.',
      },
      [HEADERS.tracestate]: { type: 'string', description: 'W3C trace state, when the caller sent one.' },
      [HEADERS.correlationId]: {
        type: 'string',
        minLength: 1,
        description: 'Same as the envelope `correlationid`.',
      },
      [HEADERS.eventType]: {
        type: 'string',
        const: definition.type,
        description: 'The CloudEvent type, so tools can route without parsing the body.',
      },
      [HEADERS.contentType]: {
        type: 'string',
        pattern: '^application/cloudevents\\+json(;.*)?$',
        description: 'Structured-mode CloudEvent.',
      },
    },
    required: [
      HEADERS.msgId,
      HEADERS.traceparent,
      HEADERS.correlationId,
      HEADERS.eventType,
      HEADERS.contentType,
    ],
  });
}

function deliveryText(consumer: ConsumerDefinition): string {
  const d = consumer.delivery;
  return (
    `Durable \`${consumer.durable}\` on stream ${STREAMS[consumer.stream].name}, filter \`${consumer.filterSubject}\`. ` +
    `Ack wait ${d.ackWaitSeconds} s, at most ${d.maxDeliver} deliveries (then dead-lettered), ` +
    `backoff ${d.backoffMs.map((ms) => `${ms / 1000} s`).join(', ')}, at most ${d.maxAckPending} unacknowledged.`
  );
}

/** The AsyncAPI 3.0.0 document of the bus, as a plain object. */
export function buildAsyncApiDocument(version: string): Doc {
  const channels: Doc = {};
  const operations: Doc = {};
  const messages: Doc = {};
  const dataSchemas = eventDataSchemas({ refPointerPrefix: COMPONENTS_REF_PREFIX });
  const schemas: Doc = dtoSchemas(COMPONENTS_REF_PREFIX);

  for (const [key, definition] of eventEntries()) {
    schemas[dataSchemaName(definition)] = dataSchemas[definition.type];
    messages[key] = {
      name: definition.type,
      title: definition.subject,
      summary: definition.description,
      contentType: CONTENT_TYPE,
      correlationId: { $ref: '#/components/correlationIds/correlationId' },
      headers: headersSchema(definition),
      payload: envelopeSchema(definition.type, { refPointerPrefix: COMPONENTS_REF_PREFIX }),
    };
    channels[key] = {
      address: channelAddress(definition),
      title: definition.subject,
      ...(definition.perRecipient
        ? { parameters: { recipientId: { description: 'The receiving site id (one subject token).' } } }
        : {}),
      description: `${definition.description} Stream ${STREAMS[definition.stream].name}.`,
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
    };
    const producers = SHARED_EVENTS.includes(definition)
      ? `Any service may publish it through its outbox (an operational record); registered producer ${definition.producer}.`
      : `Published by ${definition.producer} through its outbox.`;
    operations[`send${capitalise(key)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      title: `${definition.producer} publishes ${definition.subject}`,
      description: producers,
      messages: [{ $ref: `#/channels/${key}/messages/${key}` }],
      tags: [{ name: definition.producer }],
    };
  }

  for (const [consumerKey, consumer] of consumerEntries()) {
    const matched = eventEntries().filter(([, definition]) =>
      filterMatches(consumer.filterSubject, definition.subject),
    );
    if (matched.length === 0) throw new Error(`Consumer ${consumer.durable} matches no registered event`);
    for (const [eventKey, definition] of matched) {
      // A wildcard consumer gets one operation per event, named after both, so adding an event adds an id.
      const id = consumer.filterSubject.endsWith('>') ? `${consumerKey}${capitalise(eventKey)}` : consumerKey;
      operations[`receive${capitalise(id)}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${eventKey}` },
        title: `${consumer.service} consumes ${definition.subject}`,
        description: `${consumer.description} ${deliveryText(consumer)}`,
        messages: [{ $ref: `#/channels/${eventKey}/messages/${eventKey}` }],
        bindings: { nats: { queue: consumer.durable, bindingVersion: NATS_BINDING_VERSION } },
        tags: [{ name: consumer.service }],
      };
    }
  }

  for (const [key, definition] of Object.entries<RequestDefinition>(REQUESTS)) {
    addRequestReply(key, definition, { channels, operations, messages, schemas });
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Referral bus',
      version,
      description: DESCRIPTION,
      tags: Object.values(STREAMS).map((s) => ({ name: s.name, description: s.description })),
    },
    defaultContentType: CONTENT_TYPE,
    servers: {
      local: {
        host: '127.0.0.1:4222',
        protocol: 'nats',
        description: 'Local NATS server with JetStream (nats://127.0.0.1:4222).',
      },
    },
    channels,
    operations,
    components: {
      schemas: sortKeys(schemas),
      messages,
      correlationIds: {
        correlationId: {
          description: 'Id of the business flow (a discharge and everything it causes).',
          location: '$message.payload#/correlationid',
        },
      },
    },
  };
}

/**
 * A core-NATS request/reply subject: the request channel, the reply (the requester's inbox, a dynamic address),
 * the responder's receive operation (queue group) and the requester's send, both with their reply.
 */
function addRequestReply(
  key: string,
  definition: RequestDefinition,
  doc: { channels: Doc; operations: Doc; messages: Doc; schemas: Doc },
): void {
  const requestKey = `${key}Request`;
  const replyKey = `${key}Reply`;
  const replySchema = `${capitalise(key)}Reply`;
  doc.schemas[replySchema] = canonicalSchema(definition.replySchema);
  doc.messages[requestKey] = {
    name: `${definition.subject} request`,
    title: definition.subject,
    summary: definition.description,
    contentType: 'application/json',
    headers: canonicalSchema(definition.requestHeaders),
    payload: { type: 'object', description: definition.requestDescription },
  };
  doc.messages[replyKey] = {
    name: `${definition.subject} reply`,
    title: `${definition.subject} reply`,
    summary: `The answer of ${definition.responder} to ${definition.subject}.`,
    contentType: 'application/json',
    payload: { $ref: `${COMPONENTS_REF_PREFIX}${replySchema}` },
  };
  doc.channels[requestKey] = {
    address: definition.subject,
    title: definition.subject,
    description:
      `${definition.description} Core NATS request/reply (not JetStream: nothing is stored on the bus; ` +
      `${definition.responder} commits the effect before it replies).`,
    messages: { [requestKey]: { $ref: `#/components/messages/${requestKey}` } },
  };
  doc.channels[replyKey] = {
    address: null,
    title: `${definition.subject} reply`,
    description: "The requester's inbox: the NATS reply subject of the request message.",
    messages: { [replyKey]: { $ref: `#/components/messages/${replyKey}` } },
  };
  const reply = {
    channel: { $ref: `#/channels/${replyKey}` },
    messages: [{ $ref: `#/channels/${replyKey}/messages/${replyKey}` }],
  };
  doc.operations[`receive${capitalise(requestKey)}`] = {
    action: 'receive',
    channel: { $ref: `#/channels/${requestKey}` },
    title: `${definition.responder} answers ${definition.subject}`,
    description: `Queue group \`${definition.queueGroup}\` of the ${definition.responder} replicas.`,
    messages: [{ $ref: `#/channels/${requestKey}/messages/${requestKey}` }],
    reply,
    bindings: { nats: { queue: definition.queueGroup, bindingVersion: NATS_BINDING_VERSION } },
    tags: [{ name: definition.responder }],
  };
  doc.operations[`send${capitalise(requestKey)}`] = {
    action: 'send',
    channel: { $ref: `#/channels/${requestKey}` },
    title: `A client requests ${definition.subject}`,
    description: 'Send with a reply subject (`nc.request`) and wait for the reply.',
    messages: [{ $ref: `#/channels/${requestKey}/messages/${requestKey}` }],
    reply,
  };
}

function sortKeys(map: Doc): Doc {
  return Object.fromEntries(
    Object.keys(map)
      .sort()
      .map((k) => [k, map[k]]),
  );
}

export function renderAsyncApi(version: string): string {
  const header = '# Generated by `npm run asyncapi` from libs/contracts. Do not edit by hand.\n';
  return (
    header +
    stringify(buildAsyncApiDocument(version), {
      lineWidth: 0,
      aliasDuplicateObjects: false,
      singleQuote: true,
    })
  );
}

/** Every generated file, by path relative to the repository root, in a fixed order. */
export function generatedFiles(version: string): Map<string, string> {
  const files = new Map<string, string>([[ASYNCAPI_FILE, renderAsyncApi(version)]]);
  for (const [type, schema] of Object.entries(eventDataSchemas())) {
    files.set(`${SCHEMA_DIR}/${type}.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }
  return files;
}

export function findRepoRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && fs.existsSync(path.join(dir, 'libs', 'contracts'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository root at or above ${from}`);
    dir = parent;
  }
}

export function packageVersion(root: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    version?: string;
  };
  if (!manifest.version) throw new Error('package.json has no version');
  return manifest.version;
}

/** Paths (relative to root) whose content differs from `files`, including stale schema files. */
export function differences(root: string, files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, content] of files) {
    const absolute = path.join(root, file);
    if (!fs.existsSync(absolute)) out.push(`${file} (missing)`);
    else if (fs.readFileSync(absolute, 'utf8') !== content) out.push(`${file} (differs)`);
  }
  for (const file of staleSchemaFiles(root, files)) out.push(`${file} (not generated any more)`);
  return out;
}

function staleSchemaFiles(root: string, files: Map<string, string>): string[] {
  const dir = path.join(root, SCHEMA_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => `${SCHEMA_DIR}/${name}`)
    .filter((file) => !files.has(file))
    .sort();
}

export function writeFiles(root: string, files: Map<string, string>): string[] {
  return writeGeneratedFiles(root, files, staleSchemaFiles(root, files));
}

export interface ValidationReport {
  readonly errors: string[];
  readonly warnings: number;
}

/**
 * Diagnostic severities (Error = 0, Warning = 1). Compared as numbers: the parser's `Diagnostic` and the
 * `DiagnosticSeverity` enum it re-exports are typed by two different copies of @stoplight/types.
 */
export const SEVERITY_ERROR = 0;
const SEVERITY_WARNING = 1;

/** Validates an AsyncAPI document with @asyncapi/parser (a devDependency: this is a development tool). */
export async function validateAsyncApi(yamlText: string): Promise<ValidationReport> {
  const { Parser } = await import('@asyncapi/parser');
  const { diagnostics } = await new Parser().parse(yamlText);
  const describe = (d: (typeof diagnostics)[number]) => `${d.code}: ${d.message} at /${d.path.join('/')}`;
  return {
    errors: diagnostics.filter((d) => (d.severity as number) === SEVERITY_ERROR).map(describe),
    warnings: diagnostics.filter((d) => (d.severity as number) === SEVERITY_WARNING).length,
  };
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const root = findRepoRoot(__dirname);
  const files = generatedFiles(packageVersion(root));
  const report = await validateAsyncApi(files.get(ASYNCAPI_FILE) ?? '');
  if (report.errors.length > 0) {
    console.error(`The generated AsyncAPI document is invalid:\n  ${report.errors.join('\n  ')}`);
    return 1;
  }
  if (check) {
    const stale = differences(root, files);
    if (stale.length > 0) {
      console.error(`Event docs are stale; run \`npm run asyncapi\` and commit:\n  ${stale.join('\n  ')}`);
      return 1;
    }
    console.log(`Event docs are up to date (${files.size} files, ${report.warnings} parser warnings).`);
    return 0;
  }
  const changed = writeFiles(root, files);
  console.log(
    changed.length > 0
      ? `Wrote:\n  ${changed.join('\n  ')}`
      : `Event docs already up to date (${files.size} files).`,
  );
  if (report.warnings > 0) console.log(`@asyncapi/parser: ${report.warnings} warnings, no errors.`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
