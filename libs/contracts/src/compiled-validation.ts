import {
  getMetadataStorage,
  MetadataStorage,
  validate,
  ValidationArguments,
  ValidationError,
  ValidationTypes,
  validateSync,
  ValidatorOptions,
} from 'class-validator';

/**
 * class-validator's verdict, reached without its per-call bookkeeping (issue #22: `validateSync` was 7–10 % of
 * every app's busy time, a fifth of that re-collecting the class's rules by walking every registered class).
 *
 * The first time a class is validated, its rules are read once from class-validator's own metadata storage (the
 * same decorators stay the one source of truth) and kept as a plan: per property, its conditions (`@IsOptional`,
 * `@ValidateIf`), the constraint instances class-validator itself would call, and whether it is nested. A call
 * then runs exactly those constraints in the same order with the same arguments, and whitelists the same
 * properties. When everything passes, that is class-validator's answer too (no errors). When anything fails, or
 * the call is outside what a plan covers (options other than whitelisting, async or promise rules, a value that
 * is not an instance of its class), class-validator itself runs, so every error message, pointer and edge case is
 * its own. `compiled-validation.spec.ts` holds both to the same verdict over every event and request DTO.
 */

type Metadata = ReturnType<MetadataStorage['getTargetValidationMetadatas']>[number];
type Constraint = ReturnType<MetadataStorage['getTargetValidatorConstraints']>[number];

interface Check {
  readonly metadata: Metadata;
  readonly constraints: readonly Constraint[];
}

interface PropertyPlan {
  readonly name: string;
  readonly conditions: readonly Metadata[];
  /** `IS_DEFINED` checks run first, then the custom ones, as in class-validator. */
  readonly checks: readonly Check[];
  /** How many nested-validation rules the property has (each one validates the value again). */
  readonly nested: number;
}

interface ClassPlan {
  /** The class's name, as class-validator passes it to every rule (`targetName`). */
  readonly targetName: string;
  readonly properties: readonly PropertyPlan[];
  readonly known: ReadonlySet<string>;
}

/** Options a plan answers for; any other option with a value set goes to class-validator. */
const PLANNED_OPTIONS = new Set([
  'whitelist',
  'forbidNonWhitelisted',
  'forbidUnknownValues',
  // Only the shape of errors, which class-validator builds anyway whenever something fails:
  'validationError',
  'stopAtFirstError',
  'dismissDefaultMessages',
  'enableDebugMessages',
]);

/** `null`: the class has a rule no plan covers. */
const plans = new WeakMap<object, ClassPlan | null>();

function planFor(type: object): ClassPlan | null {
  let plan = plans.get(type);
  if (plan === undefined) {
    plan = buildPlan(type);
    plans.set(type, plan);
  }
  return plan;
}

function buildPlan(type: object): ClassPlan | null {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(type as new () => object, '', false, false);
  if (metadatas.length === 0) return null;
  const grouped = storage.groupByPropertyName(metadatas);
  const properties: PropertyPlan[] = [];
  for (const [name, all] of Object.entries(grouped)) {
    const conditions: Metadata[] = [];
    const defined: Check[] = [];
    const custom: Check[] = [];
    let nested = 0;
    for (const metadata of all) {
      switch (metadata.type) {
        case ValidationTypes.CONDITIONAL_VALIDATION:
          conditions.push(metadata);
          break;
        case ValidationTypes.WHITELIST:
          break;
        case ValidationTypes.NESTED_VALIDATION:
          nested += 1;
          break;
        case ValidationTypes.IS_DEFINED:
        case ValidationTypes.CUSTOM_VALIDATION: {
          const constraints = storage.getTargetValidatorConstraints(metadata.constraintCls);
          if (constraints.some((constraint) => constraint.async)) return null;
          (metadata.type === ValidationTypes.IS_DEFINED ? defined : custom).push({ metadata, constraints });
          break;
        }
        default:
          // PROMISE_VALIDATION and anything a later class-validator adds.
          return null;
      }
    }
    properties.push({ name, conditions, checks: [...defined, ...custom], nested });
  }
  return { targetName: (type as { name: string }).name, properties, known: new Set(Object.keys(grouped)) };
}

interface Run {
  readonly whitelist: boolean;
  readonly forbidNonWhitelisted: boolean;
}

/** A verdict: true (class-validator finds nothing wrong), false (it finds something), undefined (let it judge). */
type Verdict = boolean | undefined;

function isCollection(value: unknown): value is unknown[] | Set<unknown> | Map<unknown, unknown> {
  return Array.isArray(value) || value instanceof Set || value instanceof Map;
}

/** class-validator's own reading of a collection: a Map's values, a Set's items, an array as it is. */
function itemsOf(value: unknown[] | Set<unknown> | Map<unknown, unknown>): unknown[] {
  if (value instanceof Map) return Array.from(value.values());
  return Array.isArray(value) ? value : Array.from(value);
}

function passes(object: object, run: Run): Verdict {
  const type: unknown = object.constructor;
  if (typeof type !== 'function' || Object.getPrototypeOf(object) !== type.prototype) return undefined;
  const plan = planFor(type);
  // No rules: class-validator's "unknown value" when that is forbidden; let it say so.
  if (plan === null) return undefined;
  const record = object as Record<string, unknown>;
  if (run.whitelist) {
    for (const key of Object.keys(record)) {
      if (plan.known.has(key)) continue;
      if (run.forbidNonWhitelisted) return false;
      delete record[key];
    }
  }
  for (const property of plan.properties) {
    const value = record[property.name];
    if (!property.conditions.every((condition) => conditionHolds(condition, object, value))) continue;
    for (const check of property.checks) {
      const verdict = checkPasses(plan.targetName, object, value, check);
      if (verdict !== true) return verdict;
    }
    for (let n = 0; n < property.nested; n += 1) {
      const verdict = nestedPasses(value, run);
      if (verdict !== true) return verdict;
    }
  }
  return true;
}

/** `@IsOptional` / `@ValidateIf`: class-validator keeps the condition as the rule's first constraint. */
function conditionHolds(condition: Metadata, object: object, value: unknown): boolean {
  const holds = condition.constraints[0] as (object: object, value: unknown) => unknown;
  return Boolean(holds(object, value));
}

function checkPasses(targetName: string, object: object, value: unknown, check: Check): Verdict {
  const { metadata, constraints } = check;
  if (metadata.validateIf && !metadata.validateIf(object, value)) return true;
  const args: ValidationArguments = {
    targetName,
    property: metadata.propertyName,
    object,
    value,
    constraints: metadata.constraints,
  };
  const items = metadata.each && isCollection(value) ? itemsOf(value) : undefined;
  for (const constraint of constraints) {
    if (items === undefined) {
      const verdict = verdictOf(constraint.instance.validate(value, args));
      if (verdict !== true) return verdict;
      continue;
    }
    for (const item of items) {
      const verdict = verdictOf(constraint.instance.validate(item, args));
      if (verdict !== true) return verdict;
    }
  }
  return true;
}

/** A rule that answers with a promise is left to class-validator (validate awaits it, validateSync does not). */
function verdictOf(result: unknown): Verdict {
  if (typeof (result as { then?: unknown } | null)?.then === 'function') return undefined;
  return Boolean(result);
}

function nestedPasses(value: unknown, run: Run): Verdict {
  if (value === undefined) return true;
  if (isCollection(value)) {
    for (const item of itemsOf(value)) {
      const verdict = nestedPasses(item, run);
      if (verdict !== true) return verdict;
    }
    return true;
  }
  if (value instanceof Object) return passes(value, run);
  return false;
}

function runOf(options: ValidatorOptions | undefined): Run | undefined {
  if (options) {
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined && !PLANNED_OPTIONS.has(key)) return undefined;
    }
  }
  return {
    whitelist: options?.whitelist === true,
    forbidNonWhitelisted: options?.forbidNonWhitelisted === true,
  };
}

function planned(object: object, options: ValidatorOptions | undefined): boolean {
  return compiledVerdict(object, options) === true;
}

/**
 * What the plan alone answers: true (class-validator would find nothing wrong), false (it would find something),
 * undefined (outside what a plan covers). Whitelisting applies as in class-validator. For tests and the bench.
 */
export function compiledVerdict(object: object, options?: ValidatorOptions): boolean | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const run = runOf(options);
  return run === undefined ? undefined : passes(object, run);
}

/** class-validator's `validateSync` with the same answer, faster when the object is valid. */
export function validateSyncCompiled(object: object, options?: ValidatorOptions): ValidationError[] {
  return planned(object, options) ? [] : validateSync(object, options);
}

/** class-validator's `validate` with the same answer, faster when the object is valid. */
export function validateCompiled(object: object, options?: ValidatorOptions): Promise<ValidationError[]> {
  return planned(object, options) ? Promise.resolve([]) : validate(object, options);
}
