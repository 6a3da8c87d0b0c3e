/**
 * @module `/api/v1/events` and `/api/v1/violations`: what fusion found and what the rules made of it
 * — the latest revision of each, filtered, a page at a time; and one item with every revision.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { readablePage } from '../../application/readable-page.ts';
import { mayRead } from '../../core/access/policy.ts';
import { EVENT_KINDS, type EventKind } from '../../core/agreement/kinds.ts';
import { TrucelineError } from '../../core/errors.ts';
import type { FusionStatus } from '../../core/ports/fusion-store.ts';
import { instant } from '../../core/observations/schema.ts';
import {
  errorResponseSchema,
  eventPageSchema,
  eventWireSchema,
  violationPageSchema,
  violationWireSchema,
} from '../../shared/wire.ts';
import { presentEvent, presentViolation } from '../presenters/fusion-presenter.ts';
import { releasable, viewOf } from '../reader.ts';
import { bboxParam, list } from './observations.ts';

/** A comma-separated list of values from `allowed`; unknown ones are an issue naming them. */
const listOf = <T extends string>(allowed: readonly T[]) =>
  z.string().transform((value, ctx) => {
    const values = list(value);
    const unknown = values.filter((v) => !(allowed as readonly string[]).includes(v));
    if (unknown.length > 0)
      ctx.addIssue({
        code: 'custom',
        message: `must be among ${allowed.join(', ')}; not ${unknown.join(', ')}`,
      });
    return values as T[];
  });

const typeParam = listOf<EventKind>(EVENT_KINDS).describe('one or more event types, comma-separated');

const statusParam = listOf<FusionStatus>(['active', 'withdrawn']).describe(
  'active (it stands) or withdrawn (a later revision withdrew it — a live server also withdraws provisional groups that stopped standing), comma-separated; both when absent',
);

const pageParams = (maxPageSize: number) => ({
  bbox: bboxParam.optional(),
  from: instant.optional().describe('the event happened at or after (RFC 3339)'),
  to: instant.optional().describe('the event happened before (RFC 3339)'),
  type: typeParam.optional(),
  status: statusParam.optional(),
  after: z
    .string()
    .regex(/^\d{1,15}$/, { error: 'must be the `next` cursor of a previous page' })
    .optional(),
  limit: z.coerce.number().int().min(1).max(maxPageSize).default(Math.min(1000, maxPageSize)),
});

const ms = (text: string | undefined): number | undefined =>
  text === undefined ? undefined : Date.parse(text);

/** The wire form of a page's cursor. */
const cursor = (next: number | null): string | null => (next === null ? null : String(next));

export function fusionRoutes(deps: AppDeps, options: { readonly maxPageSize: number }) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();
    route.get(
      '/api/v1/events',
      {
        config: { action: 'events:read' },
        schema: {
          summary: 'Find events',
          description:
            'The latest revision of each event fusion made, by box (its location, or its origin), time, type and status, ordered by the commit sequence of that revision.',
          tags: ['events'],
          querystring: z.strictObject(pageParams(options.maxPageSize)),
          response: { 200: eventPageSchema, 400: errorResponseSchema },
        },
      },
      async (request) => {
        const q = request.query;
        // Only what is on disk (a page may take several reads: all up to one sequence).
        const throughSeq = await deps.store.observations.durableSeq();
        const page = await readablePage(
          (afterSeq, limit) =>
            deps.store.fusion.listEvents({
              bbox: q.bbox,
              fromMs: ms(q.from),
              toMs: ms(q.to),
              types: q.type,
              statuses: q.status,
              afterSeq,
              throughSeq,
              limit,
            }),
          { afterSeq: q.after === undefined ? undefined : Number(q.after), limit: q.limit },
          (e) => mayRead(request.principal, e.marking),
        );
        const view = viewOf(request);
        return { items: page.items.map((e) => presentEvent(e, view)), next: cursor(page.nextAfterSeq) };
      },
    );

    route.get(
      '/api/v1/events/:id',
      {
        config: { action: 'events:read' },
        schema: {
          summary: 'One event, every revision (oldest first)',
          tags: ['events'],
          params: z.strictObject({ id: z.string().min(1).max(300) }),
          response: { 200: z.object({ revisions: z.array(eventWireSchema) }), 404: errorResponseSchema },
        },
      },
      async (request) => {
        const revisions = releasable(
          request,
          await deps.store.fusion.eventRevisions(
            request.params.id,
            await deps.store.observations.durableSeq(),
          ),
          (e) => e.marking,
        );
        // What the reader may not have does not exist for it.
        if (revisions.length === 0)
          throw new TrucelineError('E_NOT_FOUND', `event ${request.params.id} does not exist`);
        const view = viewOf(request);
        return { revisions: revisions.map((e) => presentEvent(e, view)) };
      },
    );

    route.get(
      '/api/v1/violations',
      {
        config: { action: 'violations:read' },
        schema: {
          summary: 'Find potential violations',
          description:
            'The latest revision of each potential violation the rules found, by box, time, event type, party, clause and status, each with its explanation, ordered by the commit sequence of that revision. Verification findings about them are a separate thing.',
          tags: ['violations'],
          querystring: z.strictObject({
            ...pageParams(options.maxPageSize),
            party: z
              .string()
              .transform(list)
              .optional()
              .describe('attributed to one of these parties (comma-separated)'),
            clause: z
              .string()
              .transform(list)
              .optional()
              .describe('prohibited-conduct ids (comma-separated)'),
          }),
          response: { 200: violationPageSchema, 400: errorResponseSchema },
        },
      },
      async (request) => {
        const q = request.query;
        const throughSeq = await deps.store.observations.durableSeq();
        const page = await readablePage(
          (afterSeq, limit) =>
            deps.store.fusion.listViolations({
              bbox: q.bbox,
              fromMs: ms(q.from),
              toMs: ms(q.to),
              types: q.type,
              parties: q.party,
              clauses: q.clause,
              statuses: q.status,
              afterSeq,
              throughSeq,
              limit,
            }),
          { afterSeq: q.after === undefined ? undefined : Number(q.after), limit: q.limit },
          (v) => mayRead(request.principal, v.marking),
        );
        const view = viewOf(request);
        return { items: page.items.map((v) => presentViolation(v, view)), next: cursor(page.nextAfterSeq) };
      },
    );

    route.get(
      '/api/v1/violations/:id',
      {
        config: { action: 'violations:read' },
        schema: {
          summary: 'One potential violation, every revision (oldest first)',
          tags: ['violations'],
          params: z.strictObject({ id: z.string().min(1).max(400) }),
          response: { 200: z.object({ revisions: z.array(violationWireSchema) }), 404: errorResponseSchema },
        },
      },
      async (request) => {
        const revisions = releasable(
          request,
          await deps.store.fusion.violationRevisions(
            request.params.id,
            await deps.store.observations.durableSeq(),
          ),
          (v) => v.marking,
        );
        if (revisions.length === 0)
          throw new TrucelineError('E_NOT_FOUND', `potential violation ${request.params.id} does not exist`);
        const view = viewOf(request);
        return { revisions: revisions.map((v) => presentViolation(v, view)) };
      },
    );
  };
}
