/**
 * @module RFC 8785 JSON Canonicalization Scheme: object keys sorted by UTF-16 code units, no
 * white space, numbers in ECMAScript's shortest form. The content hash of an observation is the
 * SHA-256 of this text, so two senders that agree on a record agree on its hash.
 */

/** Quoted keys, kept: records use a few dozen distinct keys, millions of times. */
const quotedKeys = new Map<string, string>();

const quoteKey = (key: string): string => {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
};

/** Raised inside `sortedCopy` when a plain object could not hold the keys in the order given (made once). */
const UNORDERABLE = new Error('keys a plain object would reorder');

/**
 * Keys a plain object would not keep in insertion order (array indexes come first, in numeric order)
 * or would not keep at all (`__proto__` sets the prototype).
 */
export const REORDERED_KEY = /^(?:0|[1-9][0-9]*|__proto__)$/;

/**
 * A copy of `value` whose objects hold their keys in sorted order, so `JSON.stringify` (native, and
 * RFC 8785's number and string forms) writes the canonical text. Throws `UNORDERABLE` for keys a plain
 * object would reorder, and a TypeError for what JSON cannot hold.
 */
function sortedCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const out: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw new TypeError('canonical JSON cannot hold a undefined');
          out[i] = sortedCopy(item);
        }
        return out;
      }
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, which is what RFC 8785 asks for.
      const keys = Object.keys(record).sort();
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (REORDERED_KEY.test(key)) throw UNORDERABLE;
        out[key] = sortedCopy(item);
      }
      return out;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/**
 * Whether `JSON.stringify(value)` already is the canonical text: plain objects whose keys are in
 * sorted order (none a plain object would reorder), finite numbers, no undefined members or array
 * items, nothing JSON.stringify would drop or transform (functions, symbols, `toJSON`).
 */
function inCanonicalOrder(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value as unknown[])
          if (item === undefined || !inCanonicalOrder(item)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      const record = value as Record<string, unknown>;
      let previous: string | undefined;
      for (const key in record) {
        if (previous !== undefined && !(previous < key)) return false;
        const item = record[key];
        if (item === undefined || REORDERED_KEY.test(key) || !inCanonicalOrder(item)) return false;
        previous = key;
      }
      return true;
    }
    default:
      return false;
  }
}

/** The canonical JSON text of a JSON value. Throws on values JSON cannot hold (NaN, Infinity, undefined in arrays). */
export function canonicalJson(value: unknown): string {
  // Validated observations arrive in canonical order (their schema declares keys sorted): one native call.
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  try {
    return JSON.stringify(sortedCopy(value));
  } catch (error) {
    if (error !== UNORDERABLE) throw error;
    return concatenated(value);
  }
}

/** The canonical text written piece by piece: slower, but any key order can be written. */
function concatenated(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON cannot hold a non-finite number');
      // String() gives ECMAScript's shortest round-trip form, as RFC 8785 asks; -0 prints as "0".
      return String(value);
    case 'object': {
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + concatenated(value[i]);
        return `${out}]`;
      }
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, which is what RFC 8785 asks for.
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        out += (first ? '' : ',') + quoteKey(key) + ':' + concatenated(item);
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
