/**
 * @module `/api/v1/cases`: the Special Commission's cases. The chair opens a case from substantiated
 * potential violations or a complaint; then every action — notification of the accused, their reply
 * (late replies accepted and marked), extensions, comments, proposals, votes, the ruling, publication,
 * remedies met — goes through `POST /api/v1/cases/{id}/actions` with the case's version in If-Match.
 * Deadlines are stored in UTC and shown in the agreement's time zone. A party sees only the cases it
 * is party to, without the members' deliberation.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../../application/app-deps.ts';
import { actOnCase, openCommissionCase, type CaseInput } from '../../application/commission/act-on-case.ts';
import { readerOrg, type Principal } from '../../core/access/policy.ts';
import { deadlinesDue } from '../../core/commission/deadlines-due.ts';
import { formatInZone } from '../../core/commission/format-in-zone.ts';
import type { CommissionCase } from '../../core/commission/commission-case.ts';
import { CASE_ACTION_TYPES, CASE_STATES } from '../../core/commission/kinds.ts';
import { notFound, validationError } from '../../core/errors.ts';
import { errorResponseSchema } from '../../shared/wire.ts';
import { actorOf, expectedVersion, withVersion } from '../versions.ts';

const caseSchema = z
  .looseObject({ id: z.string(), state: z.enum(CASE_STATES), version: z.number().int() })
  .describe(
    'The case: accused, violations or complaint, notifications and reply windows, replies, proposals and votes, rulings with remedies and dissents, escalations (see src/core/commission). `deadlines` lists the deadlines passed unmet, each with its time in UTC and in the agreement’s time zone.',
  )
  .meta({ id: 'CommissionCase' });

const idParams = z.strictObject({ id: z.string().min(1).max(100) });

/** The parties of a case: the accused and, for a complaint, the complainant. */
const partiesOf = (c: CommissionCase): string[] => [
  ...c.accused,
  ...(c.complaint === null ? [] : [c.complaint.complainant]),
];

/** Whether the reader's organisation sits on the case's Commission (a party's delegation may). */
const isMember = (principal: Principal, c: CommissionCase): boolean =>
  c.settings.members.some((member) => member.id === readerOrg(principal).id);

/** Whether the reader's organisation chairs or sits on the Commission that decides the case. */
const onCommission = (principal: Principal, c: CommissionCase): boolean =>
  readerOrg(principal).id === c.settings.chair || isMember(principal, c);

/** Whether the reader may see the case at all: not a party that is neither in it nor on the Commission. */
function mayFollow(principal: Principal, c: CommissionCase): boolean {
  const org = readerOrg(principal);
  return org.kind !== 'party' || partiesOf(c).includes(org.id) || onCommission(principal, c);
}

/**
 * The case as the reader sees it: the members' comments, proposals and votes are for the mission and
 * the case's Commission; anyone else who follows it — a party not on that Commission, a chair or
 * member of another one — sees only what is put to the parties and what is decided.
 */
function presentCase(principal: Principal, c: CommissionCase, nowMs: number) {
  const deadlines = deadlinesDue(c, nowMs).map((due) => ({
    ...due,
    deadline: new Date(due.deadlineMs).toISOString(),
    deadlineLocal: formatInZone(due.deadlineMs, c.timeZone),
  }));
  if (readerOrg(principal).kind === 'mission' || onCommission(principal, c)) return { ...c, deadlines };
  const { comments: _comments, proposals: _proposals, ...rest } = c;
  return { ...rest, deadlines };
}

export function caseRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    const route = app.withTypeProvider<ZodTypeProvider>();

    const readable = async (principal: Principal, id: string): Promise<CommissionCase> => {
      const found = await deps.store.cases.find(id);
      if (found === undefined || !mayFollow(principal, found.state)) throw notFound('case', id);
      return found.state;
    };

    route.get(
      '/api/v1/cases',
      {
        config: { action: 'cases:read' },
        schema: {
          summary: 'Cases of the Special Commission (a party sees its own)',
          tags: ['commission'],
          querystring: z.strictObject({
            state: z.enum(CASE_STATES).optional(),
            after: z.coerce.number().int().min(0).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(100),
          }),
          response: { 200: z.object({ items: z.array(caseSchema), next: z.number().nullable() }) },
        },
      },
      async (request) => {
        const { state, after, limit } = request.query;
        const page = await deps.store.cases.list({
          ...(state === undefined ? {} : { states: [state] }),
          ...(after === undefined ? {} : { afterSeq: after }),
          limit,
        });
        const now = deps.clock.now();
        return {
          items: page
            .filter((p) => mayFollow(request.principal, p.state))
            .map((p) => presentCase(request.principal, p.state, now)),
          next: page.length === limit ? (page.at(-1)?.seq ?? null) : null,
        };
      },
    );

    route.post(
      '/api/v1/cases',
      {
        config: { action: 'cases:open' },
        schema: {
          summary: 'Opens a case from substantiated potential violations (or a complaint)',
          tags: ['commission'],
          body: z.strictObject({
            violations: z.array(z.string().min(1).max(200)).max(100).default([]),
            complaint: z
              .number()
              .int()
              .min(1)
              .optional()
              .describe('The commit sequence of a complaint (an observation of kind complaint)'),
            accused: z.array(z.string().min(1).max(64)).min(1).max(10),
            agreementId: z.string().min(1).max(64),
          }),
          response: { 201: caseSchema, 400: errorResponseSchema, 404: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const { violations, complaint, accused, agreementId } = request.body;
        let caseComplaint;
        if (complaint !== undefined) {
          const observation = await deps.store.observations.findBySeq(complaint);
          if (observation?.kind !== 'complaint')
            throw validationError('the case is invalid', [
              { path: 'complaint', reason: `no complaint has the sequence ${complaint}` },
            ]);
          const payload = (
            JSON.parse(observation.content) as {
              payload: { complainant: string; accused?: string; allegation: string };
            }
          ).payload;
          // The complainant is the party whose source signed the complaint, whatever its text says: a
          // party naming another as complainant kept its own delegation voting on the case.
          const source = await deps.store.sources.find(observation.sourceId);
          caseComplaint = {
            id: String(complaint),
            complainant: source?.organisation ?? payload.complainant,
            accused: payload.accused ?? accused[0] ?? '',
            clause: payload.allegation,
            timeMs: observation.observedAtMs,
          };
        }
        const opened = await openCommissionCase(deps, {
          violations,
          ...(caseComplaint === undefined ? {} : { complaint: caseComplaint }),
          accused,
          agreementId,
          by: actorOf(request.principal),
        });
        withVersion(reply, opened.version);
        return reply.code(201).send(presentCase(request.principal, opened, deps.clock.now()));
      },
    );

    route.get(
      '/api/v1/cases/:id',
      {
        config: { action: 'cases:read' },
        schema: {
          summary: 'One case (ETag: its version)',
          tags: ['commission'],
          params: idParams,
          response: { 200: caseSchema, 404: errorResponseSchema },
        },
      },
      async (request, reply) => {
        const found = await readable(request.principal, request.params.id);
        withVersion(reply, found.version);
        return presentCase(request.principal, found, deps.clock.now());
      },
    );

    route.post(
      '/api/v1/cases/:id/actions',
      {
        config: { action: 'cases:act' },
        schema: {
          summary: 'One action on a case (If-Match: its version)',
          description:
            '`notify` {party}; `reply` {text, evidence}; `extend` {target, deadlineMs, reason}; `comment` {text}; `propose-ruling` {responsibility, severity, remedies, reasoning}; `vote` {proposalId, choice, dissent?}; `rule` {proposalId}; `publish` {}; `remedy-met` {remedyId, note, evidence}; `advance-escalation` {reason?}; `close` {reason}. A member representing a party to the case may not vote (E_RECUSED); only the accused party’s liaison replies.',
          tags: ['commission'],
          params: idParams,
          headers: z.object({ 'if-match': z.string().optional() }).loose(),
          body: z.looseObject({
            type: z.enum(
              CASE_ACTION_TYPES.filter((t) => t !== 'open' && t !== 'reopen') as [string, ...string[]],
            ),
          }),
          response: {
            200: caseSchema,
            400: errorResponseSchema,
            403: errorResponseSchema,
            404: errorResponseSchema,
            409: errorResponseSchema,
            428: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const version = expectedVersion(request);
        await readable(request.principal, request.params.id);
        const next = await actOnCase(deps, {
          caseId: request.params.id,
          expectedVersion: version,
          action: request.body as CaseInput,
          by: actorOf(request.principal),
        });
        withVersion(reply, next.version);
        return presentCase(request.principal, next, deps.clock.now());
      },
    );
  };
}
