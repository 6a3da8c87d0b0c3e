/**
 * @module Text no store keeps: a NUL character (U+0000), which PostgreSQL's text cannot hold, or a
 * lone UTF-16 surrogate, which is no character at all (SQLite and PostgreSQL each replaced it their
 * own way, so the two stores kept different text). Refused in every path parameter, query parameter
 * and JSON body field, with the field named — before a handler looks anything up: a lookup by such a
 * key failed PostgreSQL's driver with a 500 where SQLite answered 404. Bodies taken raw (observation
 * batches, signed submissions, attachments) are checked by their own validation.
 */
import type { FastifyRequest } from 'fastify';
import { validationError, type FieldIssue } from '../core/errors.ts';
import { LONE_SURROGATE } from '../core/validation/text.ts';

const acceptable = (text: string): boolean => !text.includes('\u0000') && !LONE_SURROGATE.test(text);

/** The issues of every string in `value` no store keeps (object keys included), at any depth. */
export function unkeepableText(value: unknown, root: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // Iterative: a body nested thousands deep must not overflow the stack.
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0 && issues.length < 100) {
    const [item, path] = stack.pop() as [unknown, string];
    if (typeof item === 'string') {
      if (!acceptable(item))
        issues.push({
          path,
          reason: 'holds a NUL character (U+0000) or a lone surrogate, which no store keeps',
        });
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (typeof item === 'object' && item !== null && !ArrayBuffer.isView(item)) {
      for (const [key, inner] of Object.entries(item).reverse()) {
        const at = path === '' ? key : `${path}.${key}`;
        if (!acceptable(key))
          issues.push({ path: at, reason: 'the field name holds a NUL character or a lone surrogate' });
        stack.push([inner, at]);
      }
    }
  }
  return issues;
}

/** Refuses a request whose parameters, query or JSON body hold text no store keeps. */
export async function refuseUnkeepableText(request: FastifyRequest): Promise<void> {
  const issues = [
    ...unkeepableText(request.params, ''),
    ...unkeepableText(request.query, ''),
    ...(typeof request.body === 'object' ? unkeepableText(request.body, '') : []),
  ];
  if (issues.length > 0) throw validationError('the request holds text no store keeps', issues);
}
