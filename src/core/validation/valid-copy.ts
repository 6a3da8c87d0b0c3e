/**
 * @module A fast path in front of a zod schema: from the schema's own definition, a function that
 * copies a value the schema accepts — in RFC 8785 key order, so `JSON.stringify` of the copy is its
 * canonical JSON — and gives up (`undefined`) on anything else. Zod then decides, and words the errors.
 *
 * Zod allocates a result and an issue list for every field it checks; a record of forty fields made
 * this a quarter of a validation thread's time. The copier checks the same constraints, read from the
 * same definitions, without either. It never accepts what zod would refuse, nor copies other than
 * what zod gives back: a check it does not know is run by zod's own code (and a value that check
 * changes is left to zod); a construct it cannot mirror — a check that rewrites the value
 * (`.trim()`, `.overwrite()`), checks on an optional wrapper, a non-strict object, a plain union —
 * fails when the copier is made, not when a record arrives.
 */
import type { z } from 'zod';
import { REORDERED_KEY } from '../observations/canonical-json.ts';

/** A copy of an accepted value, or `undefined`: not vouched for (let the schema decide). */
export type ValidCopier = (value: unknown) => unknown;

/** What the copier reads of zod's checks: their kind and bounds, and zod's own check to run. */
interface CheckDef {
  readonly check: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly value?: number;
  readonly inclusive?: boolean;
  readonly pattern?: RegExp;
  readonly when?: (payload: CheckPayload) => boolean;
}

interface CheckPayload {
  value: unknown;
  issues: unknown[];
}

interface Check {
  readonly _zod: { readonly def: CheckDef; readonly check: (payload: CheckPayload) => unknown };
}

/** What the copier reads of zod's schema definitions (zod/v4/core: `_zod.def`). */
interface SchemaDef {
  readonly type: string;
  readonly checks?: readonly Check[];
  readonly shape?: Readonly<Record<string, Schema>>;
  readonly catchall?: Schema;
  readonly innerType?: Schema;
  readonly element?: Schema;
  readonly options?: readonly Schema[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
}

interface Schema {
  readonly _zod: {
    readonly def: SchemaDef;
    /** zod's kinds of the schema: `$ZodCheck` among them when the schema is also a check. */
    readonly traits: ReadonlySet<string>;
    /** The values an enum or a literal allows, as zod matches them. */
    readonly values?: ReadonlySet<unknown>;
  };
}

/** A predicate on a value already of the node's type. */
type Test = (value: never) => boolean;

/**
 * zod's own check, run as zod runs it; passes when it raises no issue and leaves the value as it was
 * (a check may reassign it: the copy would then not be what zod gives back, so zod must decide).
 */
function zodCheck(check: Check): Test {
  const run = check._zod.check;
  const when = check._zod.def.when;
  return (value: unknown) => {
    const payload: CheckPayload = { value, issues: [] };
    if (when !== undefined && !when(payload)) return true;
    const outcome = run(payload);
    // An asynchronous check is not for a synchronous fast path: let zod say so.
    return !(outcome instanceof Promise) && payload.issues.length === 0 && Object.is(payload.value, value);
  };
}

/**
 * A test for each check, its bounds read once; a check of a kind not listed runs zod's own. A schema
 * that is itself a check (a string or number format such as `z.email()` or `z.int()`) is its first.
 */
function testsOf(schema: Schema, path: string): Test[] {
  const def = schema._zod.def;
  const checks = def.checks ?? [];
  const all = schema._zod.traits.has('$ZodCheck') ? [schema as unknown as Check, ...checks] : checks;
  // The fast tests below ignore a check's `when` (zod may skip a check): running it anyway only makes
  // the copier stricter, and a value it then refuses goes to zod.
  return all.map((check): Test => {
    const c = check._zod.def;
    switch (c.check) {
      case 'overwrite':
        throw new Error(
          `${path}: no fast path through a check that rewrites the value (.trim(), .overwrite())`,
        );
      // zod measures strings in code points: where UTF-16 units settle it, no count is needed
      // (a code point is one or two units); in between, zod's own check counts.
      case 'min_length': {
        const min = c.minimum ?? 0;
        const exact = zodCheck(check);
        return (value: { length: number }) =>
          value.length >= 2 * min || (value.length >= min && exact(value as never));
      }
      case 'max_length': {
        const max = c.maximum ?? Infinity;
        const exact = zodCheck(check);
        return (value: { length: number }) => value.length <= max || exact(value as never);
      }
      case 'greater_than': {
        const bound = c.value ?? -Infinity;
        return c.inclusive === true ? (value: number) => value >= bound : (value: number) => value > bound;
      }
      case 'less_than': {
        const bound = c.value ?? Infinity;
        return c.inclusive === true ? (value: number) => value <= bound : (value: number) => value < bound;
      }
      case 'number_format':
        if (c.format === 'safeint') return (value: number) => Number.isSafeInteger(value);
        return zodCheck(check);
      case 'string_format':
        if (c.format === 'regex' && c.pattern !== undefined && !c.pattern.global && !c.pattern.sticky) {
          const pattern = c.pattern;
          return (value: string) => pattern.test(value);
        }
        return zodCheck(check);
      default:
        return zodCheck(check);
    }
  });
}

/** `copy` if every test passes on what it returns, else `undefined`. */
function checked(copy: ValidCopier, tests: readonly Test[]): ValidCopier {
  if (tests.length === 0) return copy;
  return (value) => {
    const out = copy(value);
    if (out === undefined) return undefined;
    for (const test of tests) if (!(test as (value: unknown) => boolean)(out)) return undefined;
    return out;
  };
}

/** A value JSON writes as itself (NaN and ±Infinity it writes as null; canonical JSON refuses them). */
const isJsonScalar = (value: unknown): boolean =>
  value === null ||
  typeof value === 'string' ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function objectCopier(def: SchemaDef, path: string): ValidCopier {
  if (def.catchall?._zod.def.type !== 'never')
    throw new Error(
      `${path}: only strict objects have a fast path (this one ${def.catchall === undefined ? 'strips' : 'passes'} unknown keys)`,
    );
  const shape = def.shape ?? {};
  // The default sort compares UTF-16 code units, as RFC 8785 orders keys.
  const keys = Object.keys(shape).sort();
  for (const key of keys)
    if (REORDERED_KEY.test(key))
      throw new Error(`${path}.${key}: a plain object cannot hold this key in order`);
  const known = new Set(keys);
  const fields = keys.map((key) => {
    const field = shape[key] as Schema;
    const optional = field._zod.def.type === 'optional';
    if (optional && (field._zod.def.checks ?? []).length > 0)
      throw new Error(`${path}.${key}: no fast path for checks on an optional field (put them inside it)`);
    return {
      key,
      optional,
      copy: copierOf(optional ? (field._zod.def.innerType as Schema) : field, `${path}.${key}`),
    };
  });
  return (value) => {
    if (!isRecord(value)) return undefined;
    // Strict: zod refuses a key it does not know, inherited ones included (it reads them with for…in).
    for (const key in value) if (!known.has(key)) return undefined;
    const out: Record<string, unknown> = {};
    for (const field of fields) {
      const item = value[field.key];
      if (item === undefined) {
        // Present but undefined (not JSON; zod keeps such a key): leave it to zod.
        if (!field.optional || field.key in value) return undefined;
        continue;
      }
      const copied = field.copy(item);
      if (copied === undefined) return undefined;
      out[field.key] = copied;
    }
    return out;
  };
}

function unionCopier(def: SchemaDef, path: string): ValidCopier {
  const discriminator = def.discriminator;
  if (discriminator === undefined) throw new Error(`${path}: only discriminated unions have a fast path`);
  const byValue = new Map<unknown, ValidCopier>();
  for (const option of def.options ?? []) {
    const tag = option._zod.def.shape?.[discriminator]?._zod.def;
    if (tag?.type !== 'literal' || tag.values === undefined)
      throw new Error(`${path}: every option's "${discriminator}" must be a literal`);
    const copy = copierOf(option, path);
    for (const value of tag.values) {
      if (byValue.has(value)) throw new Error(`${path}: two options for "${discriminator}" ${String(value)}`);
      byValue.set(value, copy);
    }
  }
  return (value) => (isRecord(value) ? byValue.get(value[discriminator])?.(value) : undefined);
}

/** The copier of one schema node; `path` names it in the errors a schema without a fast path raises. */
function copierOf(schema: Schema, path: string): ValidCopier {
  const def = schema._zod.def;
  const tests = testsOf(schema, path);
  switch (def.type) {
    case 'string':
      return checked((value) => (typeof value === 'string' ? value : undefined), tests);
    case 'number':
      // zod refuses NaN and ±Infinity (JSON.parse gives Infinity for 1e400).
      return checked(
        (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined),
        tests,
      );
    case 'enum':
    case 'literal': {
      // zod's own set of allowed values (an enum of a numeric TypeScript enum allows only its numbers).
      const allowed = schema._zod.values;
      if (allowed === undefined) throw new Error(`${path}: a zod "${def.type}" without its values`);
      return checked((value) => (allowed.has(value) && isJsonScalar(value) ? value : undefined), tests);
    }
    case 'array': {
      const element = copierOf(def.element as Schema, `${path}[]`);
      return checked((value) => {
        if (!Array.isArray(value)) return undefined;
        const out: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const copied = element(value[i]);
          if (copied === undefined) return undefined;
          out[i] = copied;
        }
        return out;
      }, tests);
    }
    case 'object':
      return checked(objectCopier(def, path), tests);
    case 'union':
      return checked(unionCopier(def, path), tests);
    default:
      // An optional field is handled by its object (its inner schema copies a present value); anywhere
      // else, an optional (or any other construct) would need thought about what its copy is.
      throw new Error(`${path}: no fast path for a zod "${def.type}"`);
  }
}

/**
 * The fast path of `schema`: copies of the values it accepts, keys in RFC 8785 order; `undefined` for
 * the rest (and for any value it is not sure of). Throws if the schema uses a construct it does not know.
 */
export function validCopier(schema: z.ZodType): ValidCopier {
  return copierOf(schema as unknown as Schema, '(root)');
}
