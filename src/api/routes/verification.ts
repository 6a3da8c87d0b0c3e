/**
 * @module Verification over HTTP: the item of a potential violation, a complaint or an impediment,
 * and its steps — triage, tasking, a task's result, a finding, its approval (by someone else) or
 * return. Items are served with their version as ETag; every step names it in If-Match. Monitors
 * report impediments here too: records of their own, evaluated as violations of the terms.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { reportImpediment } from '../../application/verification/report-impediment.ts';
import {
  actOnVerification,
  verificationOf,
  type StepInput,
} from '../../application/verification/act-on-verification.ts';
import { mayRead, readerOrg, viewFor, type Principal } from '../../core/access/policy.ts';
import type { Actor } from '../../core/verification/actor.ts';
import type { VerificationItem } from '../../core/verification/verification-item.ts';
import { notFound } from '../../core/errors.ts';
import {
  isSubjectKind,
  VERIFICATION_ACTION_TYPES,
  VERIFICATION_STATES,
} from '../../core/verification/kinds.ts';
import { errorResponseSchema } from '../../shared/wire.ts';
import { actorOf, expectedVersion, withVersion } from '../versions.ts';

const itemSchema = z
  .looseObject({
    id: z.string(),
    state: z.enum(VERIFICATION_STATES),
    version: z.number().int(),
  })
  .describe(
    'The item: subject, state, version, triage, tasks, findings, reopenings (see src/core/verification)',
  )
  .meta({ id: 'VerificationItem' });

const stepSchema = z
  .looseObject({
    type: z.enum(VERIFICATION_ACTION_TYPES.filter((t) => t !== 'open') as [string, ...string[]]),
  })
  .describe(
    'One step and its fields: `dismiss` {reason}; `verify` {note?}; `task` {taskId, asset, deadlineMs, instructions}; `task-result` {taskId, result, note, impedimentId?}; `record-finding` {outcome, narrative, evidence, observationSeqs}; `approve-finding` {}; `return-finding` {reason}; `reopen` {reason, cause?}',
  )
  .meta({ id: 'VerificationStep' });

const ifMatch = z
  .object({
    'if-match': z.string().optional().describe('The version acted on: the ETag read, e.g. "3" (required)'),
  })
  .loose();

const versioned = {
  200: itemSchema,
  400: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  428: errorResponseSchema,
};

/**
 * Parties do not follow the mission's verification (its tasking, its analysts, its evidence): to them
 * the items do not exist. They see the outcome in the Commission's cases.
 */
const hiddenFrom = (principal: Principal): boolean => readerOrg(principal).kind === 'party';

type ItemWire = Pick<VerificationItem, 'id' | 'state' | 'version'> & Record<string, unknown>;

/** An actor as a reader without observers' identities sees it: the organisation and role, not the person. */
const unnamed = (actor: Actor): Omit<Actor, 'userId'> => ({ orgId: actor.orgId, role: actor.role });

/**
 * An item as `principal` may see it. The chair and the coalition follow the verification, but who in
 * the mission tasked, went, found and approved stays inside the mission (their view has no observers'
 * identities): each actor is shown as its organisation and role.
 */
function presentItem(item: VerificationItem, principal: Principal): ItemWire {
  if (viewFor(principal).observerIdentity) return { ...item };
  const maybe = (actor: Actor | null) => (actor === null ? null : unnamed(actor));
  return {
    ...item,
    openedBy: unnamed(item.openedBy),
    triage: item.triage === null ? null : { ...item.triage, by: unnamed(item.triage.by) },
    tasks: item.tasks.map((t) => ({ ...t, taskedBy: unnamed(t.taskedBy), resultBy: maybe(t.resultBy) })),
    findings: item.findings.map((f) => ({
      ...f,
      recordedBy: unnamed(f.recordedBy),
      reviewedBy: maybe(f.reviewedBy),
    })),
    reopenings: item.reopenings.map((r) => ({ ...r, by: unnamed(r.by) })),
  };
}

export function verificationRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    /**
     * The potential violation, if it exists and the reader may read it; for a read, only as far as it
     * is on disk (a step's own commit syncs what it read).
     */
    const readableViolation = async (
      principal: Parameters<typeof mayRead>[0],
      id: string,
      throughSeq?: number,
    ) => {
      const latest = (await deps.store.fusion.violationRevisions(id, throughSeq)).at(-1);
      if (latest === undefined || !mayRead(principal, latest.marking))
        throw notFound('potential violation', id);
      return latest;
    };

    route.get(
      '/api/v1/verification',
      {
        config: { action: 'verification:read' },
        schema: {
          summary: 'Verification items, by the order of their latest step',
          tags: ['verification'],
          querystring: z.strictObject({
            state: z.enum(VERIFICATION_STATES).optional(),
            subject: z.enum(['potential-violation', 'complaint', 'impediment']).optional(),
            after: z.coerce.number().int().min(0).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ items: z.array(itemSchema), next: z.number().nullable() }) },
        },
      },
      async (request) => {
        if (hiddenFrom(request.principal)) return { items: [], next: null };
        const { state, subject, after, limit } = request.query;
        const page = await deps.store.verification.list({
          ...(state === undefined ? {} : { states: [state] }),
          ...(subject === undefined ? {} : { subjectKind: subject }),
          ...(after === undefined ? {} : { afterSeq: after }),
          limit,
        });
        return {
          items: page.map((p) => presentItem(p.state, request.principal)),
          next: page.length === limit ? (page.at(-1)?.seq ?? null) : null,
        };
      },
    );

    route.get(
      '/api/v1/verification/:id',
      {
        config: { action: 'verification:read' },
        schema: {
          summary: 'One verification item (ETag: its version)',
          tags: ['verification'],
          params: z.strictObject({ id: z.string().min(1).max(200) }),
          response: { 200: itemSchema, 404: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const found = await deps.store.verification.find(request.params.id);
        if (found === undefined || hiddenFrom(request.principal))
          throw notFound('verification item', request.params.id);
        withVersion(reply, found.state.version);
        return presentItem(found.state, request.principal);
      },
    );

    route.post(
      '/api/v1/verification/:id/steps',
      {
        config: { action: 'verification:act' },
        schema: {
          summary: 'One step on a verification item (If-Match: its version)',
          tags: ['verification'],
          params: z.strictObject({ id: z.string().min(1).max(200) }),
          headers: ifMatch,
          body: stepSchema,
          response: versioned,
        },
      },
      async (request, reply) => {
        const version = expectedVersion(request);
        const match = /^vi:([a-z-]+):(.+)$/.exec(request.params.id);
        const kind = match?.[1];
        const subjectId = match?.[2];
        if (kind === undefined || subjectId === undefined || !isSubjectKind(kind))
          throw notFound('verification item', request.params.id);
        if (kind === 'potential-violation') await readableViolation(request.principal, subjectId);
        else if ((await deps.store.verification.find(request.params.id)) === undefined)
          throw notFound('verification item', request.params.id);
        const item = await actOnVerification(deps, {
          kind,
          subjectId,
          expectedVersion: version,
          step: request.body as StepInput,
          by: actorOf(request.principal),
        });
        withVersion(reply, item.version);
        return { ...item };
      },
    );

    route.get(
      '/api/v1/violations/:id/verification',
      {
        config: { action: 'verification:read' },
        schema: {
          summary:
            'The verification item of a potential violation (state `new`, version 1, before the first step)',
          tags: ['verification'],
          params: z.strictObject({ id: z.string().min(1).max(200) }),
          response: { 200: itemSchema, 404: errorResponseSchema },
        },
      },
      async (request, reply) => {
        await readableViolation(
          request.principal,
          request.params.id,
          await deps.store.observations.durableSeq(),
        );
        if (hiddenFrom(request.principal)) throw notFound('verification item of', request.params.id);
        const { item } = await verificationOf(
          deps,
          'potential-violation',
          request.params.id,
          deps.clock.now(),
          actorOf(request.principal),
        );
        withVersion(reply, item.version);
        return presentItem(item, request.principal);
      },
    );

    /** A step on a potential violation's item: the body's `type` names it, or `fixed` does. */
    const violationStep = (url: string, summary: string, fixed?: 'record-finding') =>
      route.post(
        url,
        {
          config: { action: 'verification:act' },
          schema: {
            summary,
            tags: ['verification'],
            params: z.strictObject({ id: z.string().min(1).max(200) }),
            headers: ifMatch,
            body: fixed === undefined ? stepSchema : z.looseObject({}),
            response: versioned,
          },
        },
        async (request, reply) => {
          const version = expectedVersion(request);
          await readableViolation(request.principal, request.params.id);
          const body = request.body as Record<string, unknown>;
          const item = await actOnVerification(deps, {
            kind: 'potential-violation',
            subjectId: request.params.id,
            expectedVersion: version,
            step: (fixed === undefined ? body : { ...body, type: fixed }) as StepInput,
            by: actorOf(request.principal),
          });
          withVersion(reply, item.version);
          return { ...item };
        },
      );
    violationStep(
      '/api/v1/violations/:id/verification',
      'One step of verifying a potential violation (If-Match)',
    );
    violationStep(
      '/api/v1/violations/:id/findings',
      'Records a verification finding {outcome, narrative, evidence, observationSeqs} (If-Match); another analyst approves it',
      'record-finding',
    );

    route.post(
      '/api/v1/impediments',
      {
        config: { action: 'impediments:report' },
        schema: {
          summary:
            'Reports an impediment to the monitors; it is evaluated as a violation and verified like one',
          description:
            'Body: {kind: denied|delayed|conditional|jamming|sensor-destroyed|fire-at-monitors, at (ms), location?, party?, sourceRef, description, delayMinutes? (delayed only)}.',
          tags: ['verification'],
          body: z.looseObject({}),
          response: {
            201: z.object({
              item: itemSchema,
              violation: z.looseObject({ id: z.string(), clause: z.string() }),
            }),
            400: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const result = await reportImpediment(deps, { raw: request.body, by: actorOf(request.principal) });
        withVersion(reply, result.item.version);
        return reply.code(201).send({ item: { ...result.item }, violation: { ...result.violation } });
      },
    );
  };
}
