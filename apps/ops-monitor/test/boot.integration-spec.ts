import {
  deleteNamespaceStreams,
  SHARED_NATS_URL,
  startService,
  ServiceUnderTest,
  testDatabase,
  TestDatabase,
  waitFor,
  opsHeaders,
} from '@app/testing';
import { AppModule } from '../src/app.module';
import { DATABASE } from '../src/database';

describe('ops-monitor boot', () => {
  let service: ServiceUnderTest;
  let db: TestDatabase;

  beforeAll(async () => {
    db = await testDatabase();
    service = await startService({ register: (o) => AppModule.register(o), database: DATABASE });
  });

  afterAll(async () => {
    await service.close();
    await deleteNamespaceStreams(SHARED_NATS_URL, service.namespace);
    await db.dropSchemas(service.schema);
    await db.close();
  });

  it('should provision its durable consumers and answer ready', async () => {
    const ops = await opsHeaders('ops-viewer');
    await waitFor(async () => (await fetch(`${service.url}/health/ready`, { headers: ops })).status === 200, {
      message: 'ready',
    });
    const body = (await (await fetch(`${service.url}/health`, { headers: ops })).json()) as {
      details: Record<string, { status: string }>;
    };
    expect(Object.values(body.details).map((d) => d.status)).toEqual(['up', 'up', 'up']);
  });
});
