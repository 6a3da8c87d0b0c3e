/**
 * @module What the access policy says about the reader of a request: which records it may have
 * (markings) and which of their fields (the view). Routes and the live stream use these, so every
 * read goes through the one policy module.
 */
import type { FastifyRequest } from 'fastify';
import type { Marking } from '../core/access/markings.ts';
import { mayRead, viewFor, type View } from '../core/access/policy.ts';

export const viewOf = (request: FastifyRequest): View => viewFor(request.principal);

/** The items the reader may have, in order. */
export function releasable<T>(
  request: FastifyRequest,
  items: readonly T[],
  marking: (item: T) => Marking,
): T[] {
  return items.filter((item) => mayRead(request.principal, marking(item)));
}
