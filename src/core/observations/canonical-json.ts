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

/** The canonical JSON text of a JSON value. Throws on values JSON cannot hold (NaN, Infinity, undefined in arrays). */
export function canonicalJson(value: unknown): string {
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
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
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
        out += (first ? '' : ',') + quoteKey(key) + ':' + canonicalJson(item);
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
