import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { EventDefinition } from '@app/contracts';
import { validateEventData } from '@app/messaging';

/** One generated message: the body to publish and why it must be refused. */
export interface FuzzMessage {
  readonly kind: 'garbage-data' | 'garbage-envelope';
  readonly body: string;
}

/** A CloudEvent as the relay writes it (structured mode), around whatever `data` is given. */
export function envelope(
  definition: EventDefinition,
  data: unknown,
  subject = randomUUID(),
): Record<string, unknown> {
  const id = randomUUID();
  return {
    specversion: '1.0',
    id,
    source: `/${definition.producer}`,
    type: definition.type,
    subject,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    correlationid: id,
    data,
  };
}

function isValidData(definition: EventDefinition, data: unknown): boolean {
  try {
    validateEventData(definition, data);
    return true;
  } catch {
    return false;
  }
}

/** A valid envelope whose data the event's DTO refuses (samples that happen to validate are skipped). */
function garbageData(definition: EventDefinition): fc.Arbitrary<FuzzMessage> {
  return fc
    .oneof(
      fc.anything(),
      fc.object(),
      fc.dictionary(
        fc.constantFrom('referralId', 'siteId', 'hop', 'registeredAt', 'sealedPatient', 'needs'),
        fc.jsonValue(),
      ),
    )
    .filter((data) => !isValidData(definition, data))
    .map((data) => ({
      kind: 'garbage-data' as const,
      body: JSON.stringify(envelope(definition, data)) ?? 'null',
    }));
}

/** A broken envelope: not JSON, not an object, or an attribute removed or replaced by anything. */
function garbageEnvelope(definition: EventDefinition): fc.Arbitrary<FuzzMessage> {
  const attributes = ['specversion', 'id', 'source', 'type', 'time', 'correlationid', 'data'] as const;
  return fc
    .oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      fc
        .record({
          attribute: fc.constantFrom(...attributes),
          value: fc.option(fc.anything(), { nil: undefined }),
          data: fc.anything(),
        })
        .map(({ attribute, value, data }) => {
          const e = envelope(definition, data);
          if (value === undefined) delete e[attribute];
          else e[attribute] = value;
          return JSON.stringify(e) ?? 'null';
        }),
    )
    .filter((body) => {
      // Keep only bodies the consumer must refuse: a mutation that leaves a valid event is not garbage.
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        return !(
          parsed &&
          typeof parsed === 'object' &&
          parsed.specversion === '1.0' &&
          parsed.type === definition.type &&
          typeof parsed.id === 'string' &&
          isValidData(definition, parsed.data)
        );
      } catch {
        return true;
      }
    })
    .map((body) => ({ kind: 'garbage-envelope' as const, body: body.length > 0 ? body : ' ' }));
}

/** `perKind` garbage-data and `perKind` garbage-envelope messages for one event (seeded: reproducible). */
export function fuzzMessages(definition: EventDefinition, perKind: number, seed: number): FuzzMessage[] {
  return [
    ...fc.sample(garbageData(definition), { numRuns: perKind, seed }),
    ...fc.sample(garbageEnvelope(definition), { numRuns: perKind, seed: seed + 1 }),
  ];
}
