import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createUser } from '@nats-io/nkeys';
import { NatsConnection, nkeyAuthenticator, PermissionViolationError } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { consumersOf, EVENTS, SERVICES } from '@app/contracts';
import { JetStreamProvisioner, natsClientOptions, publicKeyOfSeedFile, Topology } from '@app/messaging';
import { LocalNatsServer, waitFor } from '@app/testing';
import { natsSecurityEnv, natsServerInfo, prepareLocalNatsSecurity, seedFileOf } from './local-nats-security';
import { accessToRunningNats } from './local-services';
import { main as provision } from './provision';

const ROOT = resolve(__dirname, '..');
const REGISTERED = EVENTS.referralRegistered.subject;

/** The permission violations the server reports on one connection. */
function violations(nc: NatsConnection): PermissionViolationError[] {
  const seen: PermissionViolationError[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && status.error instanceof PermissionViolationError)
        seen.push(status.error);
    }
  })();
  return seen;
}

/**
 * The NATS `npm start` runs when none is reachable: the config it generates under .local/ on a private
 * nats-server. Only a service's own credentials get in, and each service publishes only its own events.
 */
describe('npm start: the local NATS with an nkey user per service and TLS', () => {
  let dir: string;
  let server: LocalNatsServer;
  let security: ReturnType<typeof prepareLocalNatsSecurity>;
  const open: NatsConnection[] = [];

  const connectAs = async (service: string): Promise<NatsConnection> => {
    const env = natsSecurityEnv(security, service);
    const nc = await connect({
      servers: server.url,
      reconnect: false,
      ...natsClientOptions(service, {
        nkeySeedFile: env.NATS_NKEY_SEED_FILE,
        tlsCaFile: env.NATS_TLS_CA_FILE,
      }),
    });
    open.push(nc);
    return nc;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'start-nats-'));
    security = prepareLocalNatsSecurity(join(dir, 'nats-auth'), ROOT, '/usr/bin/openssl');
    server = await LocalNatsServer.start({ configFile: security.configFile });
    // The admin step npm start runs before the apps (which only verify).
    await provision({ NATS_URL: server.url, ...natsSecurityEnv(security, 'admin') });
  });

  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => undefined);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should announce that it requires TLS and credentials', async () => {
    expect(await natsServerInfo({ host: '127.0.0.1', port: server.port })).toMatchObject({
      auth_required: true,
      tls_required: true,
    });
  });

  it('should refuse a client without credentials, with an unknown nkey, or without TLS', async () => {
    await expect(
      connect({ servers: server.url, reconnect: false, tls: { caFile: security.caFile } }),
    ).rejects.toThrow(/Authorization Violation/i);
    await expect(
      connect({
        servers: server.url,
        reconnect: false,
        tls: { caFile: security.caFile },
        authenticator: nkeyAuthenticator(createUser().getSeed()),
      }),
    ).rejects.toThrow(/Authorization Violation/i);
    await expect(connect({ servers: server.url, reconnect: false, tls: null })).rejects.toThrow();
  });

  it('should let registration publish referral.registered, and no other service', async () => {
    const registration = await connectAs(SERVICES.registration);
    const ack = await jetstream(registration).publish(REGISTERED, JSON.stringify({ probe: 1 }));
    expect(ack.stream).toBe('REFERRAL');

    const rehab = await connectAs(SERVICES.rehabSite);
    const refused = violations(rehab);
    rehab.publish(REGISTERED, JSON.stringify({ forged: true }));
    await rehab.flush();
    await waitFor(() => refused.some((v) => v.operation === 'publish' && v.subject === REGISTERED), {
      timeoutMs: 3000,
      message: 'rehab-site publishing referral.registered refused',
    });
  });

  it('should let a service verify its streams and durables but not create or change any', async () => {
    const registration = await connectAs(SERVICES.registration);
    await new JetStreamProvisioner().verify(await jetstreamManager(registration), new Topology(), {
      consumers: consumersOf(SERVICES.registration),
    });
    const refused = violations(registration);
    const attempts = [
      '$JS.API.STREAM.CREATE.ROGUE',
      '$JS.API.STREAM.UPDATE.REFERRAL',
      '$JS.API.STREAM.DELETE.REFERRAL',
      `$JS.API.CONSUMER.CREATE.REFERRAL.registration__referral-assessed.${EVENTS.referralAssessed.subject}`,
    ];
    for (const subject of attempts) registration.publish(subject, '{}');
    await registration.flush();
    await waitFor(
      () => attempts.every((s) => refused.some((v) => v.operation === 'publish' && v.subject === s)),
      {
        timeoutMs: 3000,
        message: 'stream and durable changes refused',
      },
    );
  });

  it('should not let a service read referral events outside its own durables', async () => {
    const intake = await connectAs(SERVICES.hospitalIntake);
    const refused = violations(intake);
    intake.subscribe('referral.>');
    intake.subscribe('>');
    await intake.flush();
    await waitFor(() => ['referral.>', '>'].every((s) => refused.some((v) => v.subject === s)), {
      timeoutMs: 3000,
      message: 'wildcard subscriptions refused',
    });
  });

  it('should keep the seeds across runs (no accidental rotation) and find them for a running server', async () => {
    const seed = seedFileOf(security, SERVICES.rehabSite);
    const before = publicKeyOfSeedFile(seed);
    const again = prepareLocalNatsSecurity(security.dir, ROOT, '/usr/bin/openssl');
    expect(publicKeyOfSeedFile(seedFileOf(again, SERVICES.rehabSite))).toBe(before);

    const access = await accessToRunningNats([{ host: '127.0.0.1', port: server.port }], security.dir, {});
    expect(access).toEqual({ natsSecurity: security });
  });

  it('should warn loudly when the NATS it finds accepts anyone', async () => {
    const plain = await LocalNatsServer.start();
    try {
      const access = await accessToRunningNats([{ host: '127.0.0.1', port: plain.port }], security.dir, {});
      expect(access.natsSecurity).toBeUndefined();
      expect(access.natsWarning).toContain('THE BUS IS UNAUTHENTICATED');
      expect(access.natsWarning).toContain(`127.0.0.1:${plain.port}`);
    } finally {
      await plain.stop();
    }
  });
});
