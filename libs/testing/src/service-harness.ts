import { DynamicModule, INestApplication } from '@nestjs/common';
import { Clock, ServiceConfig } from '@app/core';
import { NatsConnectionService } from '@app/messaging';
import { DatabaseDefinition, migrateUp } from '@app/persistence';
import { createServiceApp, ServiceOverrides, startServiceApp } from '@app/platform';
import { TEST_DATABASE_URL, TestDatabase } from './database';
import { deleteNamespaceStreams } from './jetstream';
import { uniqueName } from './names';
import { LogCapture, SHARED_NATS_URL } from './probe/probe-harness';

export interface ServiceUnderTest {
  readonly app: INestApplication;
  /** http://127.0.0.1:<random port> */
  readonly url: string;
  readonly schema: string;
  readonly namespace: string;
  readonly logs: LogCapture;
  close(): Promise<void>;
}

export interface StartServiceOptions {
  /** `AppModule.register` of the service. */
  readonly register: (overrides: ServiceOverrides) => DynamicModule;
  readonly database: DatabaseDefinition;
  /** Share one namespace between the services of one test so they see each other's events. */
  readonly namespace?: string;
  readonly schema?: string;
  readonly natsUrl?: string;
  readonly config?: Partial<ServiceConfig>;
  /**
   * Hand the service over only once its streams and durables exist. HTTP answers before the bus is provisioned
   * (that goes on in the background, as in production): a spec that publishes to the namespace's streams at once
   * races it ("no responders" on a loaded machine).
   */
  readonly awaitBus?: boolean;
  /** The service's Clock (a ManualClock moves time by hand); a SystemClock otherwise. */
  readonly clock?: Clock;
}

/**
 * Boots a whole service in this process on a fresh schema (migrated with the service's own migrations), its
 * own bus namespace (or the one given) and a random port. Drop the schema and the namespace's streams in
 * afterAll (`TestDatabase.dropSchemas`, `deleteNamespaceStreams`).
 */
export async function startService(options: StartServiceOptions): Promise<ServiceUnderTest> {
  const namespace = options.namespace ?? uniqueName('t');
  const schema = options.schema ?? uniqueName(`${namespace}_s`);
  await migrateUp({ url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' }, options.database);
  const logs = new LogCapture();
  const app = await createServiceApp(
    options.register({
      config: {
        databaseUrl: TEST_DATABASE_URL,
        dbSchema: schema,
        natsServers: [options.natsUrl ?? SHARED_NATS_URL],
        busNamespace: namespace,
        httpPort: 0,
        httpHost: '127.0.0.1',
        outboxPollIntervalMs: 200,
        shutdownGraceMs: 3000,
        ...options.config,
      },
      // Every test client is one address with a few keys: the shared rate limits stay out of the way unless the
      // test's register() sets its own `auth` budgets (the rate-limit specs do).
      auth: { rateLimit: 1_000_000, ipRateLimit: 1_000_000 },
      logDestination: logs,
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    { title: 'service under test', description: 'test' },
  );
  await startServiceApp(app);
  if (options.awaitBus) {
    await app
      .get(NatsConnectionService, { strict: false })
      .ready(AbortSignal.timeout(60_000))
      .catch((error: unknown) => {
        throw new Error(`the service's bus was not provisioned within 60 s: ${(error as Error).message}`);
      });
  }
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, schema, namespace, logs, close: () => app.close() };
}

/**
 * Ends what a single-service harness started: the service, its NATS connection, its namespace's streams and
 * its schema, then the test database connection. Each part may be missing (a failed start).
 */
export async function closeServiceHarness(parts: {
  service?: ServiceUnderTest;
  db?: TestDatabase;
  nc?: { close(): Promise<void> };
}): Promise<void> {
  await parts.service?.close();
  await parts.nc?.close();
  if (parts.service) {
    await deleteNamespaceStreams(SHARED_NATS_URL, parts.service.namespace);
    await parts.db?.dropSchemas(parts.service.schema);
  }
  await parts.db?.close();
}

/** Closes several services booted in one process on one bus namespace, then drops their schemas and streams. */
export async function closeServices(
  services: Iterable<ServiceUnderTest>,
  namespace: string,
  db: TestDatabase,
): Promise<void> {
  const all = [...services];
  for (const service of all) await service.close();
  await deleteNamespaceStreams(SHARED_NATS_URL, namespace);
  await db.dropSchemas(...all.map((s) => s.schema));
  await db.close();
}
