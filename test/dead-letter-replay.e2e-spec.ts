import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  deleteNamespaceStreams,
  holdsFor,
  newProbeWorld,
  postDischarges,
  ProbeWorld,
  RunningProbe,
  startProbe,
  TestDatabase,
  testDatabase,
  waitFor,
} from '@app/testing';

const run = promisify(execFile);
const DLQ = join(__dirname, '../dist/scripts/dlq.js');

/** Ops' view: `npm run dlq -- <service> list | replay` against a running consumer. */
describe('dead-letter command', () => {
  let world: ProbeWorld;
  let db: TestDatabase;
  let producer: RunningProbe;
  let consumer: RunningProbe;

  beforeAll(async () => {
    db = await testDatabase();
    world = await newProbeWorld();
    producer = await startProbe('producer', world);
    consumer = await startProbe('consumer', world);
  });

  afterAll(async () => {
    await producer?.close();
    await consumer?.close();
    await deleteNamespaceStreams(world.natsUrl, world.namespace);
    await db.dropSchemas(world.producerSchema, world.consumerSchema);
    await db.close();
  });

  const cli = (...args: string[]) =>
    run(process.execPath, [DLQ, ...args], {
      env: { ...process.env, DATABASE_URL: world.databaseUrl, DB_SCHEMA: world.consumerSchema },
    });

  it('should list a dead letter and replay it into exactly one effect', async () => {
    const [referralId] = await postDischarges(producer.url, 'broken-cli', 1);
    await waitFor(
      async () => (await db.count(`SELECT count(*) FROM "${world.consumerSchema}".dead_letter`)) === 1,
      { message: 'dead letter recorded' },
    );

    const listed = JSON.parse((await cli('ops-monitor', 'list')).stdout) as {
      id: string;
      errorCode: string;
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0].errorCode).toBe('MAX_DELIVERIES_EXCEEDED');

    await db.query(`INSERT INTO "${world.consumerSchema}".probe_heal (hospital_id) VALUES ('broken-cli')`);
    const replayed = JSON.parse((await cli('ops-monitor', 'replay', listed[0].id)).stdout) as {
      replayed: { id: string }[];
    };
    expect(replayed.replayed.map((r) => r.id)).toEqual([listed[0].id]);

    const effects = () =>
      db.count(`SELECT count(*) FROM "${world.consumerSchema}".probe_effect WHERE referral_id = $1`, [
        referralId,
      ]);
    await waitFor(async () => (await effects()) === 1, { message: 'effect after replay' });
    await holdsFor(async () => (await effects()) === 1, 1000);
    expect(JSON.parse((await cli('ops-monitor', 'list')).stdout)).toEqual([]);
  });

  it('should refuse an unknown id and bad usage with a non-zero exit', async () => {
    await expect(cli('ops-monitor', 'replay', '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('DEAD_LETTER_NOT_FOUND'),
    });
    await expect(cli('nobody', 'list')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage'),
    });
  });
});
