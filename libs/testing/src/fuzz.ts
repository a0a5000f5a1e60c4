import fc from 'fast-check';

/**
 * Bodies around a valid one: anything at all, the valid fields (and an unknown one) with arbitrary values, or the
 * valid body with one field replaced by an arbitrary value. An empty valid body (an endpoint that takes none) has
 * no field to replace.
 */
export function bodiesAround(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields = Object.keys(valid);
  return fc.oneof(
    fc.anything(),
    fc.dictionary(fc.constantFrom(...fields, 'extra'), fc.anything()),
    ...(fields.length === 0
      ? []
      : [
          fc
            .record({ field: fc.constantFrom(...fields), value: fc.anything() })
            .map(({ field, value }) => ({ ...valid, [field]: value })),
        ]),
  );
}

/**
 * Property: for random bodies on every endpoint the service never answers 5xx, and a refusal (4xx) leaves the
 * schema as it was. `send` answers the HTTP status; at least `minRefusals` of the runs must be 400s, so the
 * property is not met by bodies that never reach validation.
 */
export async function assertRandomBodiesAreHarmless<E extends { valid: Record<string, unknown> }>(options: {
  endpoints: readonly E[];
  send: (endpoint: E, body: unknown) => Promise<number>;
  fingerprint: () => Promise<unknown>;
  numRuns?: number;
  minRefusals?: number;
}): Promise<number[]> {
  const cases = fc.oneof(
    ...options.endpoints.map((e) => fc.record({ e: fc.constant(e), body: bodiesAround(e.valid) })),
  );
  const seen: number[] = [];
  await fc.assert(
    fc.asyncProperty(cases, async ({ e, body }) => {
      const before = await options.fingerprint();
      const status = await options.send(e, body);
      seen.push(status);
      if (status >= 500) return false;
      if (status >= 400) expect(await options.fingerprint()).toEqual(before);
      return true;
    }),
    { numRuns: options.numRuns ?? 150 },
  );
  expect(seen.filter((s) => s === 400).length).toBeGreaterThan(options.minRefusals ?? 50);
  return seen;
}
