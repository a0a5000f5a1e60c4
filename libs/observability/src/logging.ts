import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { REDACT_PATHS, REDACTED } from './redaction';

const QUIET_PATHS = ['/health', '/metrics'];

export interface LoggingOptions {
  readonly service: string;
  readonly level: string;
  /** Where JSON lines go (stdout by default; tests pass a stream to inspect them). */
  readonly destination?: NodeJS.WritableStream;
}

/** JSON logs via pino with PII redaction, one request id per request, health and metrics scrapes unlogged. */
export function loggingModule(options: LoggingOptions): DynamicModule {
  return LoggerModule.forRoot({
    // Every route, in the path syntax of Nest 12 (path-to-regexp 8). nestjs-pino 4.x (held back for Node 20)
    // defaults to '*', which Nest 12 turns into a catch-all route of its own, visible in the router.
    forRoutes: [{ path: '{/*splat}', method: RequestMethod.ALL }],
    pinoHttp: [
      {
        level: options.level,
        base: { service: options.service },
        redact: { paths: REDACT_PATHS, censor: REDACTED },
        genReqId: (req: IncomingMessage, res: ServerResponse) => {
          const incoming = req.headers['x-request-id'];
          const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
          res.setHeader('X-Request-Id', id);
          return id;
        },
        autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.some((p) => req.url?.startsWith(p)) },
        serializers: {
          // Only the route, never the query string (it may carry identifiers).
          req: (req: { id: string; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: req.url?.split('?')[0],
          }),
          res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        },
      },
      options.destination ?? process.stdout,
    ],
  });
}
