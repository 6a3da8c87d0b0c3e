/**
 * @module Turns zod issues into the project's field issues: one path such as `zones[2].distanceKm`
 * and a reason a person can act on ("must be greater than 0").
 */
import type { z } from 'zod';
import type { FieldIssue } from '../errors.ts';

/** Formats a path as `a.b[2].c`; the empty path is `(root)`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
};

/** Zod's own names for what it received, worded as `describe` words them. */
const received = (name: string): string => (name === 'array' || name === 'object' ? `an ${name}` : name);

const bound = (value: unknown): string =>
  typeof value === 'bigint' || typeof value === 'number' ? String(value) : JSON.stringify(value);

/** One reason for one zod issue. */
function reasonOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      // Zod leaves the input out of issues unless asked; its message names what it received.
      const got =
        'input' in issue
          ? describe(issue.input)
          : received(/received (\w+)/.exec(issue.message)?.[1] ?? 'something else');
      if (got === 'undefined') return 'is required';
      if (got === 'NaN' || (issue.expected === 'number' && got === 'Infinity'))
        return 'must be a finite number';
      if (issue.expected === 'int')
        return got === 'number' ? 'must be a whole number' : `must be a whole number, not ${got}`;
      return `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}, not ${got}`;
    }
    case 'too_small': {
      const what = issue.origin === 'string' ? 'characters' : issue.origin === 'array' ? 'items' : '';
      if (what !== '') return `must have at least ${bound(issue.minimum)} ${what}`;
      return issue.inclusive
        ? `must be at least ${bound(issue.minimum)}`
        : `must be greater than ${bound(issue.minimum)}`;
    }
    case 'too_big': {
      const what = issue.origin === 'string' ? 'characters' : issue.origin === 'array' ? 'items' : '';
      if (what !== '') return `must have at most ${bound(issue.maximum)} ${what}`;
      return issue.inclusive
        ? `must be at most ${bound(issue.maximum)}`
        : `must be less than ${bound(issue.maximum)}`;
    }
    case 'invalid_value':
      return `must be ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}`;
    case 'invalid_format':
      return issue.message.startsWith('Invalid') ? `must be a valid ${issue.format}` : issue.message;
    case 'not_multiple_of':
      return `must be a multiple of ${bound(issue.divisor)}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
      if ('options' in issue && issue.options !== undefined && issue.options.length > 0)
        return `must be one of ${issue.options.map((v) => JSON.stringify(v)).join(', ')}`;
      return 'matches none of the allowed forms';
    case 'invalid_key':
    case 'invalid_element':
      return 'has an invalid entry';
    case 'custom':
      return issue.message;
  }
}

/**
 * Unknown keys named one by one per object, at most; the rest are counted in one issue. A record of a
 * million unknown keys would otherwise make an answer of tens of megabytes.
 */
export const MAX_UNKNOWN_KEYS_NAMED = 20;

/** Every issue of a failed parse, one per field (unknown keys one each, up to {@link MAX_UNKNOWN_KEYS_NAMED}). */
export function fieldIssues(error: z.core.$ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys.slice(0, MAX_UNKNOWN_KEYS_NAMED))
        issues.push({ path: formatPath([...issue.path, key]), reason: 'is not a known field' });
      const more = issue.keys.length - MAX_UNKNOWN_KEYS_NAMED;
      if (more > 0)
        issues.push({
          path: formatPath(issue.path),
          reason: `has ${more} more fields that are not known (the first ${MAX_UNKNOWN_KEYS_NAMED} are named)`,
        });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A union whose members all failed: report the member that got furthest (fewest issues).
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      for (const inner of best)
        issues.push({ path: formatPath([...issue.path, ...inner.path]), reason: reasonOf(inner) });
    } else {
      issues.push({ path: formatPath(issue.path), reason: reasonOf(issue) });
    }
  }
  return issues;
}
