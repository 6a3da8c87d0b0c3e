/**
 * @module How routes validate and serialise. Requests are validated with zod, and a failure is a
 * typed `E_VALIDATION` error naming each field. Responses are serialised with plain JSON.stringify:
 * presenters already shape them, and validating every response would cost more than the query.
 * A schema marked `documentationOnly` is published in OpenAPI but not enforced (bodies the route
 * validates record by record itself).
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { TrucelineError } from '../core/errors.ts';
import { fieldIssues } from '../core/validation/field-issues.ts';

const documentationOnly = new WeakSet<object>();

/** Marks a schema as published in OpenAPI but not checked by Fastify. */
export function docOnly<T extends z.ZodType>(schema: T): T {
  documentationOnly.add(schema);
  return schema;
}

export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  if (documentationOnly.has(schema)) return (data: unknown) => ({ value: data });
  return (data) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'request');
    return {
      error: new TrucelineError('E_VALIDATION', `the ${part} is invalid`, {
        issues: fieldIssues(result.error),
      }),
    };
  };
};

export const serializerCompiler = () => (data: unknown) => JSON.stringify(data);
