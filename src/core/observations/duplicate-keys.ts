/**
 * @module Keys given more than once in a JSON text. `JSON.parse` keeps the last and says nothing, but
 * another reader of the same signed bytes may keep the first: the record would then read differently
 * to whoever checks it. Such text is not I-JSON (RFC 7493), which canonical JSON (RFC 8785) asks for.
 */
import { formatPath } from '../validation/field-issues.ts';

/**
 * Whether `text`, which parsed to `value`, may give a key more than once. Cheap: each member of an
 * object has one colon outside strings, and without escapes every other colon is one of the parsed
 * strings', so the text's colons are the members and the strings' colons unless keys were merged.
 * A text with a backslash anywhere is always looked at whole.
 */
export function mayRepeatKeys(text: string, value: unknown): boolean {
  return text.includes('\\') || colonsIn(text) !== membersAndStringColons(value);
}

/** The paths (as segments) of the keys given again in `text`, a JSON text that parsed, in order. */
export function repeatedKeyPaths(text: string): (string | number)[][] {
  /** An open object (its keys so far, the last one) or array (the index of its current element). */
  interface Frame {
    readonly keys?: Set<string>;
    key: string;
    index: number;
  }
  const found: (string | number)[][] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  // A path is put together only for a key found again: copying it at every level would cost the
  // square of the nesting, and nesting may run to hundreds of thousands.
  const pathTo = (key: string): (string | number)[] => [
    ...stack.slice(0, -1).map((frame) => (frame.keys === undefined ? frame.index : frame.key)),
    key,
  ];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== QUOTE)
        end += text.charCodeAt(end) === BACKSLASH ? 2 : 1;
      const top = stack.at(-1);
      if (expectKey && top?.keys !== undefined) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) found.push(pathTo(key));
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_BRACE) {
      stack.push({ keys: new Set(), key: '', index: 0 });
      expectKey = true;
    } else if (c === OPEN_BRACKET) {
      stack.push({ key: '', index: 0 });
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
      expectKey = false;
    } else if (c === COMMA) {
      const top = stack.at(-1);
      if (top?.keys !== undefined) expectKey = true;
      else if (top !== undefined) top.index += 1;
    }
  }
  return found;
}

/** The issues of a record whose keys at `paths` (relative to it) were given more than once. */
export function repeatedKeyIssues(paths: readonly (readonly (string | number)[])[]) {
  return paths.map((path) => ({ path: formatPath(path), reason: 'is given more than once' }));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function colonsIn(text: string): number {
  let colons = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) colons += 1;
  return colons;
}

/**
 * The members of every object in a parsed JSON value, plus the colons in its keys and strings
 * (without recursion: nesting may be deep).
 */
function membersAndStringColons(value: unknown): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') count += colonsIn(v);
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
      continue;
    }
    for (const key in v) {
      count += 1 + colonsIn(key);
      stack.push((v as Record<string, unknown>)[key]);
    }
  }
  return count;
}
