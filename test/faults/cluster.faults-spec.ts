import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { CONSUMERS, EVENTS, SERVICES, ServiceName } from '@app/contracts';
import { Topology } from '@app/messaging';
import { LocalNatsCluster, LocalPostgres, waitFor } from '@app/testing';
import { problemsOf } from './support/checker';
import { FaultWorld } from './support/world';

/**
 * The pipeline apps on a 3-node JetStream cluster (three nats-server processes on loopback ports, streams
 * with 3 replicas): the node leading the REFERRAL stream is killed mid-stream and comes back later.
 */
describe('faults: 3-node NATS cluster', () => {
  let cluster: LocalNatsCluster;
  let world: FaultWorld;
  let pg: LocalPostgres;

  beforeAll(async () => {
    // A private Postgres too: the fleets of the other fault files running beside this one would otherwise
    // share the machine's 100 connections with this fleet.
    [cluster, pg] = await Promise.all([LocalNatsCluster.start(), LocalPostgres.start()]);
    const admin = new Client({ connectionString: pg.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE referral_bus_faults');
    await admin.end();
    world = await FaultWorld.start({
      natsUrl: cluster.urls.join(','),
      databaseUrl: pg.url('referral_bus_faults'),
      env: { STREAM_REPLICAS: '3' },
    });
  }, 240_000);

  afterAll(async () => {
    await world?.fleet.stop();
    await cluster?.stop();
    await pg?.stop();
  });

  const referralStream = async () => {
    const nc = await connect({ servers: cluster.urls, timeout: 2000 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 5000 });
      return await jsm.streams.info(new Topology(world.fleet.namespace).streamName('REFERRAL'));
    } finally {
      await nc.close();
    }
  };

  it('should lose and double nothing when the stream leader dies mid-stream and returns', async () => {
    const startedAt = Date.now();
    const info = await referralStream();
    expect(info.config.num_replicas).toBe(3);
    const leader = info.cluster?.leader ?? 'n1';
    const index = Number(leader.replace(/^n/, '')) - 1;

    const load = world.load(80, { concurrency: 4, pacingMs: 40 });
    await load.reached(25);
    await cluster.killNode(index);
    await load.reached(55);
    await cluster.restartNode(index);
    const verdict = await world.verify(load, {
      scenario: '9 cluster node loss',
      fault: `SIGKILL the REFERRAL stream leader (${leader}) of a 3-node R3 cluster mid-stream, restart it later`,
      injected: 1,
      startedAt,
    });
    expect(verdict.lost).toBe(0);
    // The returning node catches up: three current replicas again, a new leader elected meanwhile.
    await waitFor(
      async () => {
        const after = await referralStream();
        const replicas = after.cluster?.replicas ?? [];
        return replicas.length === 2 && replicas.every((r) => r.current) ? after : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'all three replicas current' },
    );
  });

  it('should fail a scenario whose referral is lost, doubled, unprocessed or left unpublished (checker self-check)', async () => {
    // The apps are stopped so nothing repairs the damage done below; the checker must see each piece of it.
    const load = world.load(6, { concurrency: 3 });
    await load.done;
    expect(problemsOf(await world.checker.drainAndCheck(world.scope(load)))).toEqual([]);
    await world.fleet.stop();
    const [lost, doubled, unpublished] = load.acknowledged();
    const schema = (s: ServiceName) => `"${world.fleet.app(s).schema}"`;
    const c = new Client({ connectionString: world.fleet.databaseUrl });
    await c.connect();
    try {
      await c.query(
        `UPDATE ${schema(SERVICES.rehabSite)}.referral SET status = 'unplaced' WHERE referral_id = $1`,
        [lost],
      );
      await c.query(
        `INSERT INTO ${schema(SERVICES.registration)}.outbox (id, subject, event_type, ordering_key, payload, headers, published_at)
         SELECT gen_random_uuid(), subject, event_type, ordering_key, payload, headers, now()
           FROM ${schema(SERVICES.registration)}.outbox WHERE payload::jsonb->>'subject' = $1 AND event_type = $2`,
        [doubled, EVENTS.referralRegistered.type],
      );
      await c.query(
        `UPDATE ${schema(SERVICES.rehabSite)}.outbox SET published_at = NULL WHERE payload::jsonb->>'subject' = $1`,
        [unpublished],
      );
      await c.query(
        `DELETE FROM ${schema(SERVICES.hospitalIntake)}.inbox WHERE event_id = (
           SELECT payload::jsonb->>'id' FROM ${schema(SERVICES.registration)}.outbox
            WHERE payload::jsonb->>'subject' = $1 AND event_type = $2 LIMIT 1)`,
        [lost, EVENTS.referralRegistered.type],
      );
      await c.query(
        `INSERT INTO ${schema(SERVICES.hospitalIntake)}.dead_letter (id, consumer, stream, stream_seq, subject, payload, error_code, error_message, deliveries)
         VALUES (gen_random_uuid(), 'self-check', 'REFERRAL', 999999, 'referral.registered', '{}', 'SELF_CHECK', 'planted by the self-check', 1)`,
      );
    } finally {
      await c.end();
    }
    const verdict = await world.checker.checkNow(world.scope(load));
    expect(verdict.lost).toBe(1);
    expect(verdict.duplicated).toBeGreaterThanOrEqual(1);
    expect(verdict.duplicateDetails.join('\n')).toContain(
      `${doubled}: registration wrote ${EVENTS.referralRegistered.type}`,
    );
    expect(verdict.unpublished[SERVICES.rehabSite]).toBeGreaterThan(0);
    expect(verdict.deadLetters.unexpected.join('\n')).toContain('SELF_CHECK');
    expect(verdict.unexpectedStates).toBe(1);
    expect(verdict.unprocessed.join('\n')).toContain(
      `${CONSUMERS.hospitalIntakeReferral.durable} never processed ${EVENTS.referralRegistered.subject}`,
    );
  });
});
