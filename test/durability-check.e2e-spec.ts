import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { STREAMS } from '@app/contracts';
import { Finding, Topology } from '@app/messaging';
import {
  deleteNamespaceStreams,
  newProbeWorld,
  ProbeWorld,
  RunningProbe,
  SHARED_NATS_URL,
  startProbe,
  TestDatabase,
  testDatabase,
  uniqueName,
} from '@app/testing';

const run = promisify(execFile);
const CHECK = join(__dirname, '../dist/scripts/check-durability.js');

/** `npm run check:durability` against the live server. */
describe('durability check', () => {
  let db: TestDatabase;
  let world: ProbeWorld;
  let consumer: RunningProbe;
  const badNamespace = uniqueName('bad');

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    consumer = await startProbe('consumer', world);
  });

  afterAll(async () => {
    await consumer?.close();
    await deleteNamespaceStreams(SHARED_NATS_URL, world.namespace);
    await deleteNamespaceStreams(SHARED_NATS_URL, badNamespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  const check = (namespace: string) =>
    run(process.execPath, [CHECK, '--json'], { env: { ...process.env, BUS_NAMESPACE: namespace } }).then(
      (r) => ({ code: 0, report: JSON.parse(r.stdout) as { findings: Finding[]; errors: number } }),
      (e: { code: number; stdout: string }) => ({
        code: e.code,
        report: JSON.parse(e.stdout) as { findings: Finding[]; errors: number },
      }),
    );

  it('should pass the streams the services provision', async () => {
    const { code, report } = await check(world.namespace);

    expect(report.errors).toBe(0);
    expect(code).toBe(0);
    expect(report.findings.filter((f) => f.check === 'storage').map((f) => f.detail)).toEqual(
      Array(Object.keys(STREAMS).length).fill('file'),
    );
  });

  it('should fail on a referral stream kept in memory', async () => {
    const topology = new Topology(badNamespace);
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({
        name: topology.streamName('REFERRAL'),
        subjects: topology.streamSubjects(STREAMS.REFERRAL),
        storage: StorageType.Memory,
      });
    } finally {
      await nc.close();
    }

    const { code, report } = await check(badNamespace);

    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        level: 'error',
        subject: `stream ${topology.streamName('REFERRAL')}`,
        check: 'storage',
      }),
    );
  });
});
