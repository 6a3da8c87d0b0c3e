/**
 * @module Optimistic concurrency over HTTP: a versioned item is served with `ETag: "<version>"`, and
 * every state-changing request on it must name the version it acts on in `If-Match` — a stale one gets
 * 409 `E_STALE_VERSION`, a missing one 428 `E_VERSION_REQUIRED`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TrucelineError, validationError } from '../core/errors.ts';
import type { Principal } from '../core/access/policy.ts';
import type { Actor } from '../core/verification/actor.ts';

/** The version named in `If-Match` (`"3"`, `W/"3"` or `3`). */
export function expectedVersion(request: FastifyRequest): number {
  const header = request.headers['if-match'];
  if (header === undefined || header === '')
    throw new TrucelineError(
      'E_VERSION_REQUIRED',
      'name the version you act on in If-Match (the ETag you read)',
    );
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (match?.[1] === undefined)
    throw validationError('If-Match is invalid', [
      { path: 'If-Match', reason: 'must be the item’s ETag, e.g. "3"' },
    ]);
  return Number(match[1]);
}

/** Sets the ETag of a versioned item. */
export const withVersion = (reply: FastifyReply, version: number): FastifyReply =>
  reply.header('etag', `"${version}"`);

/** The actor of a request: a signed-in user (the route's action admits no one else). */
export function actorOf(principal: Principal): Actor {
  if (principal.type !== 'user')
    throw new TrucelineError('E_UNAUTHENTICATED', 'this step needs a signed-in user');
  return { userId: principal.userId, orgId: principal.orgId, role: principal.role };
}
