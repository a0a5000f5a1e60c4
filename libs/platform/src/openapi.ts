import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { LEGACY_SUNSET, legacyPrefixOf, PROBLEM_CONTENT_TYPE } from '@app/core';
import './contract-docs';

export interface OpenApiInfo {
  readonly title: string;
  readonly description: string;
  /** Paths whose errors are not problem+json (FHIR answers an OperationOutcome): their body per prefix. */
  readonly errorBodies?: readonly ErrorBody[];
}

export interface ErrorBody {
  /** Lower-case path prefix, e.g. `/v1/fhir`. */
  readonly pathPrefix: string;
  readonly contentType: string;
  readonly schema: Record<string, unknown>;
}

const PROBLEM_SCHEMA = 'ProblemDetails';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const STATE_CHANGING = new Set<string>(['put', 'post', 'delete', 'patch']);

/** The shared 4xx answers, each a problem+json body with a stable `code`. */
const PROBLEMS: Record<number, string> = {
  400: 'Invalid input (`code` VALIDATION_FAILED or BAD_REQUEST; `errors[]` names each field by JSON pointer). Nothing is stored.',
  401: 'No credentials, or an unknown, revoked or expired API key / ops JWT (`code` UNAUTHENTICATED).',
  403: 'The credential is valid but its organisation kind or ops role may not call this route (`code` FORBIDDEN).',
  404: 'No such resource, or one that belongs to another organisation (`code` NOT_FOUND).',
  409: "The resource's current state does not allow this, or it conflicts with an existing one (`code` names the rule).",
  429: 'Too many requests from this caller in the rate-limit window (`code` RATE_LIMITED); retry after `Retry-After`.',
};

const problemSchema = {
  type: 'object',
  description:
    'RFC 9457 problem details (`application/problem+json`) with a stable machine-readable `code`. Other members ' +
    '(e.g. `allowedActions`) may be added per code.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', example: 'https://referral-bus.dev/problems/validation-failed' },
    title: { type: 'string', example: 'validation failed' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string', example: 'The request is not valid' },
    code: { type: 'string', example: 'VALIDATION_FAILED', description: 'Stable error code: branch on this.' },
    instance: { type: 'string', example: '/v1/discharges', description: 'The request path.' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: {
          pointer: {
            type: 'string',
            example: '#/patient/idNumber',
            description: 'JSON pointer to the field.',
          },
          detail: { type: 'string', example: 'idNumber has an invalid checksum' },
        },
      },
    },
    traceId: { type: 'string', description: 'W3C trace id of the request, for support.' },
  },
  additionalProperties: true,
};

interface Operation {
  parameters?: { in: string }[];
  requestBody?: unknown;
  responses?: Record<string, { description: string; content?: Record<string, unknown> }>;
  deprecated?: boolean;
  description?: string;
  operationId?: string;
}

/** The 4xx statuses a route can answer, derived from what it takes and does (all routes are authenticated). */
export function problemStatusesOf(path: string, method: string, operation: Operation): number[] {
  const statuses = [401, 403, 429];
  if ((operation.parameters?.length ?? 0) > 0 || operation.requestBody) statuses.push(400);
  if (path.includes('{')) statuses.push(404);
  if (STATE_CHANGING.has(method)) statuses.push(409);
  return statuses.sort();
}

/**
 * Adds what Nest's scanner cannot see: the ProblemDetails schema and, per operation, the 4xx answers it can give
 * (a response a controller documents itself is kept); deprecated aliases (see `versioned`) marked so, with the
 * successor path and the sunset date.
 */
export function completeOpenApiDocument(
  document: OpenAPIObject,
  errorBodies: readonly ErrorBody[] = [],
): OpenAPIObject {
  document.components ??= {};
  document.components.schemas = { ...document.components.schemas, [PROBLEM_SCHEMA]: problemSchema };
  const problemContent = {
    [PROBLEM_CONTENT_TYPE]: { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` } },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    const legacy = legacyPrefixOf(path.toLowerCase()) !== undefined;
    const own = errorBodies.find(
      (b) => path.toLowerCase() === b.pathPrefix || path.toLowerCase().startsWith(`${b.pathPrefix}/`),
    );
    const content = own ? { [own.contentType]: { schema: own.schema } } : problemContent;
    for (const method of METHODS) {
      const operation = (item as Record<string, Operation | undefined>)[method];
      if (!operation) continue;
      operation.responses ??= {};
      for (const status of problemStatusesOf(path, method, operation)) {
        const existing = operation.responses[String(status)];
        if (existing?.content) continue;
        operation.responses[String(status)] = {
          description: existing?.description ?? PROBLEMS[status],
          content,
        };
      }
      // Nest names the operations of a controller with several paths `X[0]`, `X[1]`: the /v1 one keeps `X`.
      if (operation.operationId) {
        operation.operationId = operation.operationId.replace(/\[(\d+)\]$/, (_, n: string) =>
          n === '0' ? '' : legacy ? '_deprecated' : `_${n}`,
        );
      }
      if (legacy) {
        operation.deprecated = true;
        operation.description =
          `Deprecated alias of \`/v1${path}\` (answers with \`Deprecation\`, \`Sunset\` and \`Link\` headers); ` +
          `removed after ${LEGACY_SUNSET}.` +
          (operation.description ? `\n\n${operation.description}` : '');
      }
    }
  }
  return document;
}

/** The app's OpenAPI document, as served at /docs-json and committed in docs/openapi/<app>.json. */
export function buildOpenApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(info.title)
      .setDescription(info.description)
      .setVersion('1')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  // Every documented route needs one of them (the public liveness probe is not documented).
  document.security = [{ 'api-key': [] }, { bearer: [] }];
  return completeOpenApiDocument(document, info.errorBodies);
}
