import type { OpenAPIObject } from '@nestjs/swagger';
import { SERVICES } from '@app/contracts';
import { findRepoRoot } from './generate-asyncapi';
import { generatedOpenApiFiles, openApiDifferences, openApiFile } from './generate-openapi';

type Operation = {
  operationId: string;
  deprecated?: boolean;
  responses: Record<string, { content?: Record<string, unknown> }>;
};

/** What makes an `object` schema say what it holds; without one a client generator sees an empty object. */
const OBJECT_SHAPES = ['properties', '$ref', 'additionalProperties', 'allOf', 'oneOf', 'anyOf'];

/**
 * JSON pointers of every schema in `node` typed `object` that says nothing of its shape: what Nest's scanner
 * writes for a property whose TypeScript type is a union (`T | null`) or a `Record`, whose `design:type` is
 * `Object`, when its decorator names no type.
 */
function shapelessObjects(node: unknown, pointer = ''): string[] {
  if (Array.isArray(node)) return node.flatMap((child, i) => shapelessObjects(child, `${pointer}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own = record.type === 'object' && !OBJECT_SHAPES.some((key) => key in record) ? [pointer || '/'] : [];
  return [
    ...own,
    ...Object.entries(record).flatMap(([key, child]) =>
      shapelessObjects(child, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
    ),
  ];
}

describe('npm run openapi (docs/openapi/<app>.json)', () => {
  let files: Map<string, string>;
  const doc = (app: string) => JSON.parse(files.get(openApiFile(app as never))!) as OpenAPIObject;
  const op = (d: OpenAPIObject, path: string, method: string) =>
    (d.paths[path] as Record<string, Operation>)[method];

  beforeAll(async () => {
    files = await generatedOpenApiFiles();
  }, 120_000);

  it('should match the committed files (run `npm run openapi` after changing a route or DTO)', () => {
    expect(openApiDifferences(findRepoRoot(__dirname), files)).toEqual([]);
  });

  it('should type every object schema (no property left as an empty `object`: give the decorator its type)', () => {
    const shapeless = [...files.keys()].flatMap((file) =>
      shapelessObjects(JSON.parse(files.get(file)!)).map((pointer) => `${file}#${pointer}`),
    );
    expect(shapeless).toEqual([]);
  });

  it('should put every route under /v1 and mark the unprefixed aliases deprecated', () => {
    const registration = doc(SERVICES.registration);
    for (const [path, item] of Object.entries(registration.paths)) {
      for (const operation of Object.values(item as Record<string, Operation>)) {
        if (path.startsWith('/v1/') || path === '/metrics') expect(operation.deprecated).toBeUndefined();
        else expect({ path, deprecated: operation.deprecated }).toEqual({ path, deprecated: true });
        expect(operation.operationId).not.toMatch(/\[\d+\]$/);
      }
    }
    expect(op(registration, '/v1/applications', 'post').operationId).toBe('ApplicationsController_file');
    expect(op(registration, '/applications', 'post').operationId).toBe(
      'ApplicationsController_file_deprecated',
    );
  });

  it('should model problem+json errors with their codes (and OperationOutcome on FHIR paths)', () => {
    const intake = doc(SERVICES.hospitalIntake);
    expect(intake.components?.schemas?.ProblemDetails).toMatchObject({
      required: expect.arrayContaining(['code', 'status', 'type', 'title', 'detail']) as unknown,
    });
    const discharge = op(intake, '/v1/discharges', 'post');
    for (const status of ['400', '401', '403', '409', '429']) {
      expect(discharge.responses[status].content).toEqual({
        'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } },
      });
    }
    expect(Object.keys(op(intake, '/v1/referrals/{id}', 'get').responses)).toEqual(
      expect.arrayContaining(['400', '401', '403', '404', '429']),
    );
    expect(Object.keys(op(intake, '/v1/fhir', 'post').responses['401'].content!)).toEqual([
      'application/fhir+json',
    ]);
  });
});
