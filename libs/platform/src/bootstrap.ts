import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import {
  API_KEY_KINDS,
  ApiKeyService,
  AUTH_CONFIG,
  AuthConfig,
  docsMiddleware,
  ipRateLimitMiddleware,
  OrganisationKind,
  SharedRateLimiter,
} from '@app/auth';
import { ServiceName } from '@app/contracts';
import { SERVICE_CONFIG, ServiceConfig } from '@app/core';
import { HEADERS } from '@app/contracts';
import { continueTrace, JetStreamServer, runWithTrace } from '@app/messaging';
import { runWithRequestContext } from '@app/persistence';
import { legacyRouteHeaders } from './legacy-routes';
import { buildOpenApiDocument } from './openapi';
import { tuneHeapGrowth } from './heap-growth';
import { securityHeaders } from './security-headers';

export interface BootstrapOptions {
  readonly title: string;
  readonly description: string;
  /** JSON body limit (default 256 kB). */
  readonly bodyLimit?: string;
}

/** Wires HTTP and the JetStream transport onto an app module (used by main.ts and by tests). */
export async function createServiceApp(
  module: Parameters<typeof NestFactory.create>[0],
  options: BootstrapOptions,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
    // Throw instead of process.exit: bootstrapService reports and exits, and a test's failed boot fails its suite.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  // First, so that every answer carries them (body-parser refusals and the docs middleware's too).
  app.use(securityHeaders());
  // The per-IP budget (shared by routes and replicas) before the body is read or any credential looked up.
  app.use(ipRateLimitMiddleware(app.get(SharedRateLimiter)));
  app.useBodyParser('json', {
    limit: options.bodyLimit ?? '256kb',
    type: ['application/json', 'application/*+json'],
  });
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  // Continue the caller's W3C trace and correlation id into every event the request publishes; the request
  // context is where the auth guard puts a staff session's person, for the audit trail.
  app.use((req: IncomingMessage, _res: ServerResponse, next: () => void) => {
    const header = (name: string) => {
      const value = req.headers[name.toLowerCase()];
      return typeof value === 'string' ? value : undefined;
    };
    const correlationId = header(HEADERS.correlationId);
    runWithTrace(
      continueTrace(header(HEADERS.traceparent), header(HEADERS.tracestate), {
        correlationId: correlationId && /^[\w.:-]{1,128}$/.test(correlationId) ? correlationId : undefined,
      }),
      () => runWithRequestContext(next),
    );
  });

  // The app's global filter and pipe apply to event handlers too: ProblemDetailsFilter hands RPC errors back
  // untouched so the transport can settle them by their code.
  app.connectMicroservice({ strategy: app.get(JetStreamServer) }, { inheritAppConfig: true });

  // Deprecated unprefixed aliases of /v1 routes say so on every answer.
  app.use(legacyRouteHeaders());
  // The OpenAPI UI and documents are express routes, outside Nest's guards: an ops JWT or an API key of a kind
  // this service serves.
  app.use(
    docsMiddleware(
      app.get<AuthConfig>(AUTH_CONFIG),
      app.get(ApiKeyService),
      app.get<readonly OrganisationKind[]>(API_KEY_KINDS),
    ),
  );
  const document = buildOpenApiDocument(app, options);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

/** How long the HTTP server keeps an idle kept-alive connection open. */
export const HTTP_KEEP_ALIVE_MS = 65_000;

export async function startServiceApp(app: INestApplication): Promise<ServiceConfig> {
  const config = app.get<ServiceConfig>(SERVICE_CONFIG);
  await app.startAllMicroservices();
  const server = app.getHttpServer() as Server;
  // Node closes an idle kept-alive connection after 5 s; a hospital's pooled client (or a proxy, commonly 60 s)
  // may send its next POST on it just then and get ECONNRESET. The server keeps it longer than they do.
  server.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  server.headersTimeout = HTTP_KEEP_ALIVE_MS + 1_000;
  await app.listen(config.httpPort, config.httpHost);
  return config;
}

/** main.ts of every service. */
export async function bootstrapService(
  service: ServiceName,
  module: Parameters<typeof NestFactory.create>[0],
  options: BootstrapOptions,
): Promise<void> {
  try {
    tuneHeapGrowth();
    const app = await createServiceApp(module, options);
    const config = await startServiceApp(app);
    app.get(Logger).log(`${service} listening on http://${config.httpHost}:${config.httpPort}`);
  } catch (error) {
    // Before the logger exists (bad configuration, database unreachable) say it plainly and exit non-zero.
    process.stderr.write(`${service} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  }
}
