import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { parse } from 'yaml';
import { CONSUMERS, EventDefinition, EVENTS, filterMatches, HEADERS, REQUESTS } from '@app/contracts';
import {
  ASYNCAPI_FILE,
  buildAsyncApiDocument,
  differences,
  findRepoRoot,
  generatedFiles,
  packageVersion,
  renderAsyncApi,
  SCHEMA_DIR,
  SEVERITY_ERROR,
  writeFiles,
} from './generate-asyncapi';

interface Operation {
  action: 'send' | 'receive';
  channel: { $ref: string };
  tags: { name: string }[];
  bindings?: { nats: { queue: string; bindingVersion: string } };
}
interface Message {
  name: string;
  payload: { properties: { type: { const: string }; data: unknown } };
  headers: { required: string[]; properties: Record<string, { const?: string }> };
}
interface AsyncApiDoc {
  servers: Record<string, object>;
  channels: Record<string, { address: string }>;
  operations: Record<string, Operation>;
  components: {
    messages: Record<string, Message>;
    schemas: Record<string, { required: string[] }>;
    correlationIds: Record<string, { location: string }>;
  };
}

const root = findRepoRoot(__dirname);
const version = packageVersion(root);
const doc = buildAsyncApiDocument(version) as unknown as AsyncApiDoc;
const events = Object.values(EVENTS) as EventDefinition[];
const consumers = Object.values(CONSUMERS);
const requests = Object.values(REQUESTS);
const operations = Object.values(doc.operations);
/** The channel address: the subject, with `{recipientId}` after the root for per-recipient events. */
const addressOf = (event: EventDefinition) =>
  event.perRecipient ? event.subject.replace(/^([^.]+)\./, '$1.{recipientId}.') : event.subject;
const channelKeyOf = (subject: string) =>
  Object.keys(doc.channels).find((key) => doc.channels[key].address === subject);

describe('AsyncAPI document', () => {
  it('should parse with @asyncapi/parser without error diagnostics', async () => {
    const { document, diagnostics } = await new Parser().parse(renderAsyncApi(version));
    const errors = diagnostics.filter((d) => (d.severity as number) === SEVERITY_ERROR);

    expect(errors.map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document
        ?.channels()
        .all()
        .map((c) => c.address()),
    ).toEqual([...events.map(addressOf), ...requests.flatMap((r) => [r.subject, null])]);
    expect(document?.operations().all()).toHaveLength(operations.length);
  }, 60_000);

  it('should have one channel per registry event, addressed by its subject', () => {
    for (const event of events) {
      expect(channelKeyOf(addressOf(event))).toBeDefined();
    }
    // …and two per request/reply subject (the request, the requester's inbox).
    expect(Object.keys(doc.channels)).toHaveLength(events.length + 2 * requests.length);
  });

  it('should document the intake.discharge.submit request, its responder queue group and its reply schema', () => {
    const definition = REQUESTS.intakeDischargeSubmit;
    const channel = channelKeyOf(definition.subject)!;
    expect(channel).toBe('intakeDischargeSubmitRequest');
    const receive = doc.operations.receiveIntakeDischargeSubmitRequest as Operation & {
      reply: { channel: { $ref: string } };
    };
    expect(receive).toMatchObject({
      action: 'receive',
      channel: { $ref: `#/channels/${channel}` },
      bindings: { nats: { queue: definition.queueGroup } },
      reply: { channel: { $ref: '#/channels/intakeDischargeSubmitReply' } },
    });
    expect(doc.operations.sendIntakeDischargeSubmitRequest).toMatchObject({ action: 'send' });
    const reply = doc.components.schemas.IntakeDischargeSubmitReply as unknown as {
      oneOf: { required: string[] }[];
    };
    expect(reply.oneOf.map((s) => s.required)).toEqual([
      ['ok', 'status', 'referral'],
      ['ok', 'status', 'code', 'detail'],
    ]);
  });

  it('should document the local NATS server', () => {
    expect(doc.servers.local).toMatchObject({ host: '127.0.0.1:4222', protocol: 'nats' });
  });

  it('should have one send operation per event, tagged with its producer', () => {
    for (const event of events) {
      const sends = operations.filter(
        (op) => op.action === 'send' && op.channel.$ref === `#/channels/${channelKeyOf(addressOf(event))}`,
      );

      expect(sends).toHaveLength(1);
      expect(sends[0].tags).toEqual([{ name: event.producer }]);
    }
  });

  it('should bind every durable consumer as a NATS queue on each channel its filter matches', () => {
    for (const consumer of consumers) {
      const receives = operations.filter(
        (op) => op.action === 'receive' && op.bindings?.nats.queue === consumer.durable,
      );
      const expected = events.filter((e) => filterMatches(consumer.filterSubject, e.subject));

      expect(expected.length).toBeGreaterThan(0);
      expect(receives.map((op) => op.channel.$ref).sort()).toEqual(
        expected.map((e) => `#/channels/${channelKeyOf(addressOf(e))}`).sort(),
      );
      for (const op of receives) {
        expect(op.bindings).toEqual({ nats: { queue: consumer.durable, bindingVersion: '0.1.0' } });
      }
    }
  });

  it('should describe every message as a CloudEvent with its data schema, headers and correlation id', () => {
    for (const [key, event] of Object.entries(EVENTS) as [string, EventDefinition][]) {
      const message = doc.components.messages[key];

      expect(message.name).toBe(event.type);
      expect(message.payload.properties.type.const).toBe(event.type);
      expect(message.payload.properties.data).toEqual({ $ref: `#/components/schemas/${event.data.name}` });
      expect(doc.components.schemas[event.data.name].required.length).toBeGreaterThan(0);
      expect(message.headers.required).toEqual([
        HEADERS.msgId,
        HEADERS.traceparent,
        HEADERS.correlationId,
        HEADERS.eventType,
        HEADERS.contentType,
      ]);
      expect(message.headers.properties[HEADERS.eventType].const).toBe(event.type);
    }
    expect(doc.components.correlationIds.correlationId.location).toBe('$message.payload#/correlationid');
    expect(doc.components.schemas.EncryptedFieldDto).toBeDefined();
  });

  it('should render the same YAML every time, and YAML that reads back as the document', () => {
    const yaml = renderAsyncApi(version);

    expect(renderAsyncApi(version)).toBe(yaml);
    expect(parse(yaml)).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});

describe('generated files', () => {
  it('should match the committed docs (run `npm run asyncapi` when this fails)', () => {
    const files = generatedFiles(version);

    expect([...files.keys()]).toEqual([ASYNCAPI_FILE, ...events.map((e) => `${SCHEMA_DIR}/${e.type}.json`)]);
    expect(differences(root, files)).toEqual([]);
  });

  describe('check', () => {
    let dir: string;

    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncapi-'));
    });

    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('should report missing, edited and stale files, and writing should fix them', () => {
      const files = generatedFiles(version);
      const [firstSchema] = [...files.keys()].filter((f) => f.startsWith(SCHEMA_DIR));

      expect(differences(dir, files)).toContain(`${ASYNCAPI_FILE} (missing)`);
      writeFiles(dir, files);
      expect(differences(dir, files)).toEqual([]);

      fs.appendFileSync(path.join(dir, firstSchema), ' ');
      fs.writeFileSync(path.join(dir, SCHEMA_DIR, 'cn.referralbus.referral.gone.v1.json'), '{}\n');

      expect(differences(dir, files)).toEqual([
        `${firstSchema} (differs)`,
        `${SCHEMA_DIR}/cn.referralbus.referral.gone.v1.json (not generated any more)`,
      ]);
      expect(writeFiles(dir, files)).toEqual([
        `${SCHEMA_DIR}/cn.referralbus.referral.gone.v1.json (removed)`,
        firstSchema,
      ]);
      expect(differences(dir, files)).toEqual([]);
    });
  });
});
