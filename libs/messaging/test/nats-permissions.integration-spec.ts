import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createUser } from '@nats-io/nkeys';
import { NatsConnection, nkeyAuthenticator, PermissionViolationError } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  CONSUMERS,
  consumersOf,
  EventDefinition,
  EVENTS,
  recipientSubject,
  REQUESTS,
  SERVICE_NAMES,
  ServiceName,
  SERVICES,
  hospitalConsumer,
  providerConsumer,
  SHARED_EVENTS,
  siteConsumer,
} from '@app/contracts';
import {
  hospitalUserName,
  JetStreamProvisioner,
  MessagingOptions,
  providerUserName,
  siteUserName,
  Topology,
} from '@app/messaging';
import { natsServerBinary, SecureNats, uniqueName, waitFor } from '@app/testing';
import { main as checkDurability } from '@scripts/check-durability';

const DOCKER_NATS = resolve(__dirname, '../../../docker/nats');
const SITE = 's1';
const OTHER_SITE = 's2';
const HOSPITAL = 'h1';
const OTHER_HOSPITAL = 'h2';
const PROVIDER = 'p1';
const OTHER_PROVIDER = 'p2';

/** Collects the permission violations the server reports on one connection. */
class Violations {
  private readonly seen: PermissionViolationError[] = [];

  constructor(nc: NatsConnection) {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'error' && status.error instanceof PermissionViolationError)
          this.seen.push(status.error);
      }
    })();
  }

  has(operation: 'publish' | 'subscription', subject: string): boolean {
    return this.seen.some((e) => e.operation === operation && e.subject === subject);
  }

  get count(): number {
    return this.seen.length;
  }
}

interface Client {
  readonly nc: NatsConnection;
  readonly violations: Violations;
}

/** The wire subject an event is published on (per-recipient ones for one site). */
function wireSubject(topology: Topology, definition: EventDefinition, siteId = SITE): string {
  return topology.subject(
    definition.perRecipient ? recipientSubject(definition, siteId) : definition.subject,
  );
}

const mayPublish = (service: ServiceName, e: EventDefinition) =>
  e.producer === service || SHARED_EVENTS.includes(e);

/**
 * The generated NATS security config on a private nats-server (TLS + one nkey user each): every user can do
 * exactly what its part of the bus needs, and every other publish/subscribe is refused by the server.
 */
describe('NATS least privilege (generated config)', () => {
  const namespace = uniqueName('np');
  const topology = new Topology(namespace);
  let nats: SecureNats;
  const clients = new Map<string, Client>();

  const client = (user: string): Client => {
    const found = clients.get(user);
    if (!found) throw new Error(`not connected as ${user}`);
    return found;
  };

  beforeAll(async () => {
    nats = await SecureNats.start({
      namespace,
      sites: [SITE, OTHER_SITE],
      providers: [PROVIDER, OTHER_PROVIDER],
      hospitals: [HOSPITAL],
    });
    const users = [
      ...SERVICE_NAMES,
      siteUserName(SITE),
      providerUserName(PROVIDER),
      hospitalUserName(HOSPITAL),
    ];
    for (const user of [...users, 'admin']) {
      const nc = await nats.connectAs(user);
      clients.set(user, { nc, violations: new Violations(nc) });
    }
  });

  afterAll(async () => {
    for (const { nc } of clients.values()) await nc.close().catch(() => undefined);
    await nats?.stop();
  });

  describe('what each user needs is allowed', () => {
    it('should let every service provision the streams and its own durables', async () => {
      for (const service of SERVICE_NAMES) {
        const jsm = await jetstreamManager(client(service).nc, { timeout: 5000 });
        const options = { consumers: consumersOf(service), streamReplicas: 1 } as unknown as MessagingOptions;
        await new JetStreamProvisioner().provision(jsm, topology, options);
        // Second run takes the update path (consumer info + update).
        await new JetStreamProvisioner().provision(jsm, topology, options);
      }
      expect(SERVICE_NAMES.map((s) => client(s).violations.count)).toEqual(SERVICE_NAMES.map(() => 0));
    });

    it('should store every event its producer publishes (JetStream ack)', async () => {
      const published: string[] = [];
      for (const service of SERVICE_NAMES) {
        const js = jetstream(client(service).nc, { timeout: 5000 });
        for (const definition of Object.values<EventDefinition>(EVENTS).filter((e) =>
          mayPublish(service, e),
        )) {
          const ack = await js.publish(wireSubject(topology, definition), JSON.stringify({ probe: service }));
          expect(ack.duplicate).toBe(false);
          published.push(`${service} ${definition.subject}`);
        }
      }
      expect(published).toContain(`${SERVICES.rehabSite} site.referral.assigned`);
      expect(published).toContain(`${SERVICES.hospitalIntake} dlq.recorded`);
    });

    it.each(Object.entries(CONSUMERS))(
      'should let the owner pull from and ack on %s',
      async (_key, consumer) => {
        const js = jetstream(client(consumer.service).nc, { timeout: 5000 });
        const handle = await js.consumers.get(
          topology.streamName(consumer.stream),
          topology.durable(consumer),
        );
        const message = await handle.next({ expires: 3000 });
        expect(message).not.toBeNull();
        expect(await message!.ackAck()).toBe(true);
        expect(client(consumer.service).violations.count).toBe(0);
      },
    );

    it('should let ops run the durability check as admin (JetStream API only)', async () => {
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
      let code: number;
      let written = '';
      try {
        code = await checkDurability(['--json'], {
          NATS_URL: nats.url,
          BUS_NAMESPACE: namespace,
          NATS_NKEY_SEED_FILE: nats.seedFileOf('admin'),
          NATS_TLS_CA_FILE: nats.certs.caFile,
        });
        written = stdout.mock.calls.map((call) => String(call[0])).join('');
      } finally {
        stdout.mockRestore();
      }
      const report = JSON.parse(written) as { findings: { subject: string }[] };
      expect(report.findings.some((f) => f.subject.includes(topology.streamName('REFERRAL')))).toBe(true);
      expect([0, 1]).toContain(code);
    });

    it('should let a hospital on the bus submit a request that hospital-intake answers', async () => {
      const responder = client(SERVICES.hospitalIntake).nc;
      const subject = topology.subject(REQUESTS.intakeDischargeSubmit.subject);
      const sub = responder.subscribe(subject, {
        queue: topology.subject(REQUESTS.intakeDischargeSubmit.queueGroup),
        callback: (_e, msg) => {
          msg.respond(JSON.stringify({ ok: true, echo: msg.string() }));
        },
      });
      await responder.flush();
      try {
        const reply = await client(hospitalUserName(HOSPITAL)).nc.request(subject, 'discharge', {
          timeout: 3000,
        });
        expect(reply.json()).toEqual({ ok: true, echo: 'discharge' });
        expect(reply.subject.startsWith(`_INBOX.${hospitalUserName(HOSPITAL)}.`)).toBe(true);
      } finally {
        sub.unsubscribe();
      }
    });

    it('should let a site read its own notices live and through its own durable', async () => {
      const site = client(siteUserName(SITE)).nc;
      const live = site.subscribe(topology.subject(`site.${SITE}.>`), { max: 1, timeout: 5000 });
      await site.flush();
      const own = siteConsumer(SITE);
      const jsm = await jetstreamManager(site, { timeout: 5000, checkAPI: false });
      await jsm.consumers.add(topology.streamName(own.stream), {
        durable_name: topology.durable(own),
        filter_subject: topology.subject(own.filterSubject),
        ack_policy: AckPolicy.Explicit,
      });
      await jetstream(client(SERVICES.rehabSite).nc).publish(
        wireSubject(topology, EVENTS.siteReferralAssigned, SITE),
        JSON.stringify({ referralId: 'r-live' }),
      );
      for await (const message of live) expect(message.json()).toEqual({ referralId: 'r-live' });
      const handle = await jetstream(site).consumers.get(
        topology.streamName(own.stream),
        topology.durable(own),
      );
      const pulled = await handle.next({ expires: 3000 });
      expect(pulled?.subject).toBe(wireSubject(topology, EVENTS.siteReferralAssigned, SITE));
      expect(await pulled!.ackAck()).toBe(true);
      expect(client(siteUserName(SITE)).violations.count).toBe(0);
    });

    it('should let an employment provider read its own notices live and through its own durable', async () => {
      const provider = client(providerUserName(PROVIDER)).nc;
      const live = provider.subscribe(topology.subject(`provider.${PROVIDER}.>`), { max: 1, timeout: 5000 });
      await provider.flush();
      const own = providerConsumer(PROVIDER);
      const jsm = await jetstreamManager(provider, { timeout: 5000, checkAPI: false });
      await jsm.consumers.add(topology.streamName(own.stream), {
        durable_name: topology.durable(own),
        filter_subject: topology.subject(own.filterSubject),
        ack_policy: AckPolicy.Explicit,
      });
      const offered = wireSubject(topology, EVENTS.providerReferralOffered, PROVIDER);
      await jetstream(client(SERVICES.employmentReferral).nc).publish(
        offered,
        JSON.stringify({ referralId: 'e-live' }),
      );
      for await (const message of live) expect(message.json()).toEqual({ referralId: 'e-live' });
      const handle = await jetstream(provider).consumers.get(
        topology.streamName(own.stream),
        topology.durable(own),
      );
      const pulled = await handle.next({ expires: 3000 });
      expect(pulled?.subject).toBe(offered);
      expect(await pulled!.ackAck()).toBe(true);
      expect(client(providerUserName(PROVIDER)).violations.count).toBe(0);
    });
  });

  describe('a hospital on the bus', () => {
    it('should let a hospital read its own green-case notices live and through its own durable', async () => {
      const hospital = client(hospitalUserName(HOSPITAL)).nc;
      const live = hospital.subscribe(topology.subject(`hospital.${HOSPITAL}.>`), { max: 1, timeout: 5000 });
      await hospital.flush();
      const own = hospitalConsumer(HOSPITAL);
      const jsm = await jetstreamManager(hospital, { timeout: 5000, checkAPI: false });
      await jsm.consumers.add(topology.streamName(own.stream), {
        durable_name: topology.durable(own),
        filter_subject: topology.subject(own.filterSubject),
        ack_policy: AckPolicy.Explicit,
      });
      await jetstream(client(SERVICES.hospitalIntake).nc).publish(
        wireSubject(topology, EVENTS.hospitalGreenOffered, HOSPITAL),
        JSON.stringify({ caseId: 'c-live' }),
      );
      for await (const message of live) expect(message.json()).toEqual({ caseId: 'c-live' });
      const handle = await jetstream(hospital).consumers.get(
        topology.streamName(own.stream),
        topology.durable(own),
      );
      const pulled = await handle.next({ expires: 3000 });
      expect(pulled?.subject).toBe(wireSubject(topology, EVENTS.hospitalGreenOffered, HOSPITAL));
      expect(await pulled!.ackAck()).toBe(true);
      expect(client(hospitalUserName(HOSPITAL)).violations.count).toBe(0);
    });
  });

  describe('everything else is refused', () => {
    const site = siteUserName(SITE);
    const other = siteConsumer(OTHER_SITE);
    const referralStream = topology.streamName('REFERRAL');
    const siteStream = topology.streamName('SITE');
    const provider = providerUserName(PROVIDER);
    const providerStream = topology.streamName('PROVIDER');
    const durableOf = (service: ServiceName) => topology.durable(consumersOf(service)[0]);
    const otherService = (service: ServiceName) =>
      SERVICE_NAMES.find((s) => s !== service && consumersOf(s).length)!;

    type Case = [user: string, operation: 'publish' | 'subscription', subject: string, why: string];
    const cases: Case[] = [];
    for (const service of SERVICE_NAMES) {
      for (const definition of Object.values<EventDefinition>(EVENTS).filter(
        (e) => !mayPublish(service, e),
      )) {
        cases.push([service, 'publish', wireSubject(topology, definition), `${definition.producer}'s event`]);
      }
      cases.push(
        [service, 'subscription', '>', 'everything'],
        [service, 'subscription', topology.subject('referral.>'), 'events without a durable'],
        [service, 'subscription', topology.subject(`site.${SITE}.>`), "a site's notices"],
        [service, 'subscription', topology.subject(`provider.${PROVIDER}.>`), "a provider's notices"],
        [service, 'subscription', '_INBOX.>', 'every inbox'],
        [service, 'subscription', `_INBOX.${site}.>`, "a site's inbox"],
        [service, 'publish', `$JS.API.STREAM.DELETE.${referralStream}`, 'deleting a stream'],
        [service, 'publish', `$JS.API.STREAM.PURGE.${referralStream}`, 'purging a stream'],
        [service, 'publish', `$JS.API.STREAM.MSG.GET.${referralStream}`, 'reading raw stream messages'],
        [service, 'publish', `$JS.API.DIRECT.GET.${referralStream}`, 'direct get'],
        [
          service,
          'publish',
          `$JS.API.CONSUMER.MSG.NEXT.${referralStream}.${durableOf(otherService(service))}`,
          "pulling another service's durable",
        ],
      );
    }
    cases.push(
      [site, 'subscription', topology.subject(`site.${OTHER_SITE}.>`), "another site's notices"],
      [site, 'subscription', topology.subject('site.>'), "every site's notices"],
      [site, 'subscription', '>', 'everything'],
      [site, 'subscription', topology.subject('referral.>'), 'the referral stream'],
      [site, 'publish', topology.subject('dlq.recorded'), 'dead-letter records'],
      [site, 'publish', topology.subject('ops.alert.raised'), 'ops alerts'],
      [site, 'publish', wireSubject(topology, EVENTS.siteReferralAssigned, SITE), 'forged notices'],
      [
        site,
        'publish',
        `$JS.API.CONSUMER.MSG.NEXT.${siteStream}.${topology.durable(other)}`,
        "another site's durable",
      ],
      [
        site,
        'publish',
        `$JS.API.CONSUMER.CREATE.${siteStream}.${topology.durable(siteConsumer(SITE))}.${topology.subject('site.>')}`,
        'a durable over every site',
      ],
      [
        provider,
        'subscription',
        topology.subject(`provider.${OTHER_PROVIDER}.>`),
        "another provider's notices",
      ],
      [provider, 'subscription', topology.subject('provider.>'), "every provider's notices"],
      [provider, 'subscription', topology.subject(`site.${SITE}.>`), "a site's notices"],
      [provider, 'subscription', topology.subject('employment.>'), 'the employment stream'],
      [provider, 'subscription', `_INBOX.${site}.>`, "a site's inbox"],
      [
        provider,
        'publish',
        wireSubject(topology, EVENTS.providerReferralOffered, PROVIDER),
        'forged notices',
      ],
      [
        provider,
        'publish',
        `$JS.API.CONSUMER.MSG.NEXT.${providerStream}.${topology.durable(providerConsumer(OTHER_PROVIDER))}`,
        "another provider's durable",
      ],
      [
        provider,
        'publish',
        `$JS.API.CONSUMER.CREATE.${providerStream}.${topology.durable(providerConsumer(PROVIDER))}.${topology.subject('provider.>')}`,
        'a durable over every provider',
      ],
      [
        hospitalUserName(HOSPITAL),
        'subscription',
        topology.subject(REQUESTS.intakeDischargeSubmit.subject),
        "other hospitals' requests",
      ],
      [hospitalUserName(HOSPITAL), 'publish', topology.subject('referral.discharged'), 'events'],
      [hospitalUserName(HOSPITAL), 'subscription', topology.subject('green.>'), 'events'],
      [
        hospitalUserName(HOSPITAL),
        'subscription',
        topology.subject(`hospital.${OTHER_HOSPITAL}.>`),
        "another hospital's green cases",
      ],
      [hospitalUserName(HOSPITAL), 'subscription', topology.subject('hospital.>'), "every hospital's cases"],
      [
        hospitalUserName(HOSPITAL),
        'publish',
        wireSubject(topology, EVENTS.hospitalGreenOffered, HOSPITAL),
        'forged green-case notices',
      ],
      [
        hospitalUserName(HOSPITAL),
        'publish',
        `$JS.API.CONSUMER.MSG.NEXT.${topology.streamName('HOSPITAL')}.${topology.durable(hospitalConsumer(OTHER_HOSPITAL))}`,
        "another hospital's durable",
      ],
      ['admin', 'publish', topology.subject('referral.discharged'), 'events'],
      ['admin', 'subscription', topology.subject('referral.>'), 'events'],
    );

    it.each(cases)('%s: %s to %s (%s) is refused', async (user, operation, target) => {
      const { nc, violations } = client(user);
      if (operation === 'publish') nc.publish(target, 'x');
      else nc.subscribe(target);
      await nc.flush();
      await waitFor(() => violations.has(operation, target), {
        timeoutMs: 3000,
        intervalMs: 5,
        message: `${user} ${operation} ${target} refused`,
      });
    });

    it('should refuse a plain-TCP client (TLS required)', async () => {
      const answer = await new Promise<string>((resolve, reject) => {
        let received = '';
        let sentConnect = false;
        const socket = netConnect({ port: nats.server.port, host: '127.0.0.1' });
        socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
        socket.on('data', (chunk) => {
          received += chunk.toString();
          if (!sentConnect && received.startsWith('INFO ') && received.includes('\r\n')) {
            sentConnect = true;
            socket.write('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n');
          }
        });
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
      expect(answer).toContain('"tls_required":true');
      expect(answer).not.toContain('PONG');
    });

    it('should refuse an unknown nkey and a client without credentials', async () => {
      const stranger = createUser();
      await expect(
        connect({
          servers: nats.url,
          reconnect: false,
          tls: { caFile: nats.certs.caFile },
          authenticator: nkeyAuthenticator(stranger.getSeed()),
        }),
      ).rejects.toThrow(/Authorization Violation/i);
      await expect(
        connect({ servers: nats.url, reconnect: false, tls: { caFile: nats.certs.caFile } }),
      ).rejects.toThrow(/Authorization Violation/i);
    });

    it('should accept the committed 3-node docker configs (nats-server -t, with 2.10-only sync_interval removed)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'docker-nats-'));
      try {
        for (const name of readdirSync(DOCKER_NATS).filter((n) => n.endsWith('.conf'))) {
          const text = readFileSync(join(DOCKER_NATS, name), 'utf8')
            .replaceAll('/etc/nats/tls', nats.certs.dir)
            .replace(/^\s*sync_interval:.*$/m, '')
            .replace('store_dir: /data', `store_dir: ${join(dir, 'data')}`);
          writeFileSync(join(dir, name), text);
        }
        const variables = readFileSync(join(DOCKER_NATS, 'auth.conf'), 'utf8').match(/\$RB_NKEY_\w+/g) ?? [];
        expect(variables.length).toBeGreaterThan(SERVICE_NAMES.length);
        const env: Record<string, string> = Object.fromEntries(
          variables.map((v) => [v.slice(1), createUser().getPublicKey()]),
        );
        // The cluster routes come from route.env (`npm run nats:config -- --keys`): a password and the route URLs.
        env.RB_ROUTE_PASSWORD = 'route-password-for-the-syntax-check';
        for (const n of [1, 2, 3]) {
          env[`RB_ROUTE_NATS_${n}`] = `nats-route://route:${env.RB_ROUTE_PASSWORD}@nats-${n}:6222`;
        }
        for (const node of ['nats-1.conf', 'nats-2.conf', 'nats-3.conf']) {
          const result = spawnSync(natsServerBinary(), ['-c', join(dir, node), '-t'], {
            env: { ...process.env, ...env },
            encoding: 'utf8',
          });
          expect([node, result.status, result.stderr]).toEqual([
            node,
            0,
            expect.stringContaining('is valid'),
          ]);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('should refuse a server certificate from an unknown CA', async () => {
      await expect(
        connect({
          servers: nats.url,
          reconnect: false,
          authenticator: nkeyAuthenticator(createUser().getSeed()),
          tls: {},
        }),
      ).rejects.toThrow(/certificate/i);
    });
  });
});
