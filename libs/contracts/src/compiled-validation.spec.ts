import fc from 'fast-check';
import { plainToInstance } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  ValidateIf,
  ValidationError,
  validateSync,
  ValidatorOptions,
} from 'class-validator';
import { VALID_EVENT_DATA } from '@app/testing/event-samples';
import { compiledVerdict, validateCompiled, validateSyncCompiled } from './compiled-validation';
import { EventDefinition, EVENTS, EventKey } from './events';
import { PatientIdentityDto } from './events/patient.dto';

/** What the messaging codec passes (envelope.codec.ts). */
const EVENT_OPTIONS: ValidatorOptions = { whitelist: true, forbidUnknownValues: true };
/** What the HTTP pipe passes (libs/core validation.pipe.ts), error shape included. */
const REQUEST_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false },
};

type Plain = Record<string, unknown>;
type Path = readonly (string | number)[];

/** Every object and array inside `value`, by path (the root first). */
function containers(value: unknown, path: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const inner = Object.entries(value).flatMap(([key, child]) =>
    containers(child, [...path, Array.isArray(value) ? Number(key) : key]),
  );
  return [path, ...inner];
}

function at(root: unknown, path: Path): Record<string | number, unknown> {
  return path.reduce<unknown>((node, key) => (node as Plain)[key], root) as Record<string | number, unknown>;
}

type Mutation =
  | { kind: 'set'; path: Path; key: string | number; value: unknown }
  | { kind: 'delete'; path: Path; key: string | number }
  | { kind: 'add'; path: Path; key: string; value: unknown };

/** One to three mutations anywhere in `seed`: a field (nested ones too) replaced, removed, or an unknown one added. */
function mutationsOf(seed: Plain): fc.Arbitrary<Mutation[]> {
  const spots = containers(seed).map((path) => ({ path, keys: Object.keys(at(seed, path)) }));
  const mutation: fc.Arbitrary<Mutation> = fc.constantFrom(...spots).chain(({ path, keys }) => {
    const key = keys.length > 0 ? fc.constantFrom(...keys) : fc.constant('0');
    return fc.oneof(
      fc.record({ kind: fc.constant('set' as const), path: fc.constant(path), key, value: fc.anything() }),
      fc.record({ kind: fc.constant('delete' as const), path: fc.constant(path), key }),
      fc.record({
        kind: fc.constant('add' as const),
        path: fc.constant(path),
        key: fc.oneof(fc.string(), fc.constantFrom('extra', 'constructor', 'toString', '__proto__')),
        value: fc.anything(),
      }),
    );
  });
  return fc.array(mutation, { minLength: 1, maxLength: 3 });
}

function apply(seed: Plain, mutations: readonly Mutation[]): Plain {
  const copy = structuredClone(seed);
  for (const m of mutations) {
    let node: Record<string | number, unknown>;
    try {
      node = at(copy, m.path);
    } catch {
      continue; // an earlier mutation replaced a container on the way
    }
    if (typeof node !== 'object' || node === null) continue;
    if (m.kind === 'delete') delete node[m.key];
    // An array's own `length` cannot be redefined (and no parsed body carries one): not a body, skip it.
    else if (Object.getOwnPropertyDescriptor(node, m.key)?.configurable === false) continue;
    else
      Object.defineProperty(node, m.key, {
        value: m.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return copy;
}

/** The parts of class-validator's errors a caller reads. */
function shape(errors: ValidationError[]): unknown {
  return errors.map((e) => ({
    property: e.property,
    constraints: e.constraints,
    children: shape(e.children ?? []),
  }));
}

/** Holds the compiled plan to class-validator's verdict, errors and whitelisting for one body. */
function expectSameAsClassValidator(
  type: new () => object,
  body: unknown,
  options: ValidatorOptions,
): boolean {
  const build = (): object => plainToInstance(type, structuredClone(body) as object);
  let reference: object;
  try {
    reference = build();
  } catch {
    return false; // class-transformer itself refuses it: neither path ever sees it
  }
  const expected = validateSync(reference, options);
  const viaPlan = build();
  const verdict = compiledVerdict(viaPlan, options);
  if (verdict === true) expect(expected).toEqual([]);
  if (verdict === false) expect(expected.length).toBeGreaterThan(0);
  // Accepted by the plan alone: the same properties whitelisted away (a refusal goes on to class-validator).
  if (verdict === true) expect(viaPlan).toEqual(reference);
  const compiled = build();
  const errors = validateSyncCompiled(compiled, options);
  expect(shape(errors)).toEqual(shape(expected));
  expect(compiled).toEqual(reference);
  return verdict === true;
}

const events = Object.entries(EVENTS) as [EventKey, EventDefinition][];

describe('compiled validation (class-validator verdicts without its per-call bookkeeping)', () => {
  it.each(events)('should take the fast path for the valid sample of %s', (key, definition) => {
    const instance = plainToInstance(definition.data, structuredClone(VALID_EVENT_DATA[key]));
    expect(validateSync(instance, EVENT_OPTIONS)).toEqual([]);
    expect(compiledVerdict(instance, EVENT_OPTIONS)).toBe(true);
  });

  it.each(events)('should agree with class-validator on bodies around %s', (key, definition) => {
    const seed = VALID_EVENT_DATA[key];
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(mutationsOf(seed), fc.boolean(), (mutations, asRequest) => {
        const fast = expectSameAsClassValidator(
          definition.data,
          apply(seed, mutations),
          asRequest ? REQUEST_OPTIONS : EVENT_OPTIONS,
        );
        if (fast) accepted += 1;
        else refused += 1;
      }),
      { numRuns: 150 },
    );
    // Both ways were exercised: bodies the plan accepted on its own and bodies class-validator refused.
    expect(refused).toBeGreaterThan(0);
    expect(accepted + refused).toBe(150);
  });

  it('should agree with class-validator on patient identities around a valid one (nested guardian)', () => {
    const seed = validIdentity();
    expect(compiledVerdict(plainToInstance(PatientIdentityDto, structuredClone(seed)), REQUEST_OPTIONS)).toBe(
      true,
    );
    fc.assert(
      fc.property(mutationsOf(seed), fc.boolean(), (mutations, asRequest) => {
        expectSameAsClassValidator(
          PatientIdentityDto,
          apply(seed, mutations),
          asRequest ? REQUEST_OPTIONS : EVENT_OPTIONS,
        );
      }),
      { numRuns: 400 },
    );
  });

  it('should agree on arbitrary values, not only bodies shaped like the event', () => {
    fc.assert(
      fc.property(fc.constantFrom(...events), fc.anything(), ([, definition], body) => {
        if (typeof body !== 'object' || body === null) return;
        expectSameAsClassValidator(definition.data, body, EVENT_OPTIONS);
      }),
      { numRuns: 300 },
    );
  });

  it('should strip unknown properties at every level, as whitelisting does', () => {
    const seed = structuredClone(VALID_EVENT_DATA.referralDischarged) as Plain;
    seed.addedLater = 1;
    (seed.sealedPatient as Plain).alsoAdded = 'x';
    const instance = plainToInstance(EVENTS.referralDischarged.data, seed) as unknown as Plain;
    expect(validateSyncCompiled(instance, EVENT_OPTIONS)).toEqual([]);
    expect(instance).not.toHaveProperty('addedLater');
    expect(instance.sealedPatient).not.toHaveProperty('alsoAdded');
  });

  it('should refuse an unknown property without stripping it when forbidden, with class-validator’s error', () => {
    const identity = plainToInstance(PatientIdentityDto, { ...validIdentity(), nickname: 'x' });
    const errors = validateSyncCompiled(identity, REQUEST_OPTIONS);
    expect(errors.map((e) => [e.property, Object.keys(e.constraints ?? {})])).toEqual([
      ['nickname', ['whitelistValidation']],
    ]);
  });

  it('should leave options it does not plan for, async rules and non-instances to class-validator', async () => {
    class Conditional {
      @IsString() kind!: string;
      @ValidateIf((o: Conditional) => o.kind === 'number') @IsInt() amount?: number;
      @IsOptional() @IsString() note?: string;
    }
    const instance = Object.assign(new Conditional(), { kind: 'text', amount: 'not checked' });
    expect(compiledVerdict(instance, EVENT_OPTIONS)).toBe(true);
    expect(validateSync(instance, EVENT_OPTIONS)).toEqual([]);
    expect(
      compiledVerdict(Object.assign(new Conditional(), { kind: 'number', amount: 'x' }), EVENT_OPTIONS),
    ).toBe(false);
    expect(compiledVerdict(instance, { ...EVENT_OPTIONS, skipMissingProperties: true })).toBeUndefined();
    expect(compiledVerdict({ kind: 'text' }, EVENT_OPTIONS)).toBeUndefined();
    expect(compiledVerdict(new Date(), EVENT_OPTIONS)).toBeUndefined();
    await expect(validateCompiled({ kind: 'text' }, EVENT_OPTIONS)).resolves.toEqual(
      validateSync({ kind: 'text' }, EVENT_OPTIONS),
    );
  });
});

function validIdentity(): Plain {
  return {
    name: '张三',
    idNumber: '61090219800101001x',
    birthDate: '1980-01-01',
    sex: 'male',
    phone: '+86-139-0000-0000',
    address: '陕西省安康市汉滨区新城街道新兴社区',
    residenceDivisionCode: '610902001003',
    lacksCapacity: true,
    guardian: { name: '李四', relationship: 'spouse', phone: '13900000000' },
  };
}
